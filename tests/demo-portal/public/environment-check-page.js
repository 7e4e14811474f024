// The environment check page: the reusable component from the page library, in the portal's frame.
import {applyLanguage, currentLanguage, portalText} from './portal.js';

// Where a portal would offer the host package for each OS ("download and install" becomes a link).
const HOST_PACKAGES = {
  windows: '/downloads/CertBridge.msi',
  macos: '/downloads/CertBridge.pkg',
  linux: '/downloads/certbridge_amd64.deb',
};

const container = document.getElementById('environment-check');
const language = currentLanguage();
applyLanguage(language);

try {
  const [{certbridge}, {renderEnvironmentCheck}] = await Promise.all([
    import('/lib/certbridge.js'),
    import('/lib/environment-check/environment-check.js'),
  ]);
  renderEnvironmentCheck(container, {certbridge, language, onLanguageChange: applyLanguage, downloads: HOST_PACKAGES});
} catch (error) {
  const message = document.createElement('p');
  message.className = 'portal-error';
  message.setAttribute('role', 'alert');
  message.textContent = portalText(language, 'portal.libraryMissing');
  container.replaceChildren(message);
  console.error('environment check could not start:', error);
}
