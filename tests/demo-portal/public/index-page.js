import {applyLanguage, currentLanguage, mountLanguageSwitch, portalText} from './portal.js';

const switcher = document.querySelector('.portal-language');
function setLanguage(language) {
  applyLanguage(language);
  switcher.setAttribute('aria-label', portalText(language, 'portal.languageLabel'));
}
mountLanguageSwitch(switcher, setLanguage);
setLanguage(currentLanguage());
