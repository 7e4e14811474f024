// The demo portal's own words (the certificate authority's site, not CertBridge's): zh-TW and English.
// CertBridge's texts (the environment check and errors) come from extension/shared/messages.json.
import {FLOW_TEXT} from './flow-text.js';
import {STORE_FLOW_TEXT} from './store-flow-text.js';

export const PORTAL_TEXT = {
  'zh-TW': {
    'portal.name': 'CertBridge 示範註冊中心',
    'portal.tagline': '憑證註冊窗口（RA）示範網站',
    'portal.nav.home': '首頁',
    'portal.nav.environmentCheck': '環境檢測',
    'portal.home.title': '歡迎使用憑證註冊窗口',
    'portal.home.intro': '在申請、展期或管理晶片卡或軟體憑證之前，請先執行環境檢測，確認您的瀏覽器、CertBridge 元件與讀卡機都已準備好。',
    'portal.home.check.title': '環境檢測',
    'portal.home.check.text': '檢查瀏覽器、CertBridge 擴充功能與元件、智慧卡服務、讀卡機與晶片卡。',
    'portal.home.check.action': '開始環境檢測',
    'portal.home.later.title': '憑證作業',
    'portal.home.later.text': '申請憑證、下載憑證、憑證展期、晶片卡登入、變更 PIN 碼、解鎖晶片卡（晶片卡版）。',
    'portal.footer': '本網站僅供 CertBridge 測試與展示使用，不核發正式憑證。',
    'portal.languageLabel': '語言',
    'portal.libraryMissing': '無法載入 CertBridge 網頁程式庫，請先建置專案（cmake --build，目標 extension）。',
    'portal.page.environmentCheck': '環境檢測 - CertBridge 示範註冊中心',
    'portal.page.home': 'CertBridge 示範註冊中心',
  },
  en: {
    'portal.name': 'CertBridge Demo RA',
    'portal.tagline': 'Registration authority demo portal',
    'portal.nav.home': 'Home',
    'portal.nav.environmentCheck': 'Environment check',
    'portal.home.title': 'Welcome to the registration portal',
    'portal.home.intro': 'Before you apply for, renew or manage a smart-card or software certificate, run the environment check to make sure your browser, the CertBridge components and your card reader are ready.',
    'portal.home.check.title': 'Environment check',
    'portal.home.check.text': 'Checks the browser, the CertBridge extension and host program, the smart card service, readers and cards.',
    'portal.home.check.action': 'Run the environment check',
    'portal.home.later.title': 'Certificate services',
    'portal.home.later.text': 'Apply, download, renew, card login, change PIN, unlock the card (smart-card edition).',
    'portal.footer': 'This site is for CertBridge testing and demonstration only; it issues no real certificates.',
    'portal.languageLabel': 'Language',
    'portal.libraryMissing': 'The CertBridge page library could not be loaded: build the project first (cmake --build, target extension).',
    'portal.page.environmentCheck': 'Environment check - CertBridge Demo RA',
    'portal.page.home': 'CertBridge Demo RA',
  },
};

for (const flowTexts of [FLOW_TEXT, STORE_FLOW_TEXT]) {
  for (const [language, texts] of Object.entries(flowTexts)) Object.assign(PORTAL_TEXT[language], texts);
}

export const LANGUAGES = [
  {code: 'zh-TW', name: '中文'},
  {code: 'en', name: 'English'},
];
export const DEFAULT_LANGUAGE = 'zh-TW';
