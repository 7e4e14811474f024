# The macOS configuration profile (CertBridge.mobileconfig) for IT's MDM or `profiles`/System Settings:
# force-installs the extension and sets its managed settings (extension/src/managed_schema.json) in
# Chrome, Edge and Firefox, and lets the browsers start our native-messaging host even where IT blocks
# native messaging. Every ID and store URL comes from extension/shared/protocol.json.
#
# Where each browser reads what (the preference domain is the payload's PayloadType):
#   com.google.Chrome, com.microsoft.Edge    browser policy: ExtensionSettings (force-install from the
#                                            browser's store, content script only on the portal hosts),
#                                            NativeMessagingAllowlist
#   com.google.Chrome.extensions.<id>,       the extension's storage.managed (Chromium reads an extension's
#   com.microsoft.Edge.extensions.<id>       policy from "<browser bundle id>.extensions.<extension id>")
#   org.mozilla.firefox                      EnterprisePoliciesEnabled, ExtensionSettings (force-install, content
#                                            script only on the portal hosts), 3rdparty (the add-on's
#                                            storage.managed), as in policies.json

include("${CMAKE_CURRENT_LIST_DIR}/plist.cmake")

# A payload UUID that stays the same from build to build, so that an MDM sees an updated profile as the
# same one (identifiers stay the same too).
function(profile_uuid out name)
  string(UUID uuid NAMESPACE "6ba7b811-9dad-11d1-80b4-00c04fd430c8" NAME "certbridge:${name}" TYPE SHA1 UPPER)
  set(${out} "${uuid}" PARENT_SCOPE)
endfunction()

# One entry of PayloadContent: the payload keys plus the settings in body (indented three tabs).
function(profile_payload out type identifier display_name body)
  profile_uuid(uuid "${identifier}")
  set(entry "")
  plist_key_string(entry "\t\t\t" PayloadType "${type}")
  plist_key_string(entry "\t\t\t" PayloadIdentifier "${identifier}")
  plist_key_string(entry "\t\t\t" PayloadUUID "${uuid}")
  plist_key_integer(entry "\t\t\t" PayloadVersion 1)
  plist_key_bool(entry "\t\t\t" PayloadEnabled TRUE)
  plist_key_string(entry "\t\t\t" PayloadDisplayName "${display_name}")
  set(${out} "${${out}}\t\t<dict>\n${entry}${body}\t\t</dict>\n" PARENT_SCOPE)
endfunction()

# The extension's managed settings (managed_schema.json's keys) at the given indent.
function(managed_settings out indent)
  set(body "")
  plist_key_strings(body "${indent}" allowedOrigins ${PROFILE_ORIGIN_LIST})
  plist_key_string(body "${indent}" allowedOriginsMode extend)
  plist_key_bool(body "${indent}" allowLoopbackHttp FALSE)
  set(${out} "${body}" PARENT_SCOPE)
endfunction()

# Chrome's or Edge's ExtensionSettings entry for a force-installed extension whose content script runs
# only on the portal's hosts.
function(chromium_extension_settings out indent id update_url)
  set(entry "")
  plist_key_string(entry "${indent}\t\t" installation_mode force_installed)
  plist_key_string(entry "${indent}\t\t" update_url "${update_url}")
  plist_key_strings(entry "${indent}\t\t" runtime_blocked_hosts "*://*")
  plist_key_strings(entry "${indent}\t\t" runtime_allowed_hosts ${PROFILE_RUNTIME_HOSTS})
  set(extensions "")
  plist_key_dict(extensions "${indent}\t" "${id}" "${entry}")
  set(body "")
  plist_key_dict(body "${indent}" ExtensionSettings "${extensions}")
  set(${out} "${body}" PARENT_SCOPE)
endfunction()

# protocol_get(out json key...): a value of protocol.json, or a build error that names the missing key.
function(protocol_get out json)
  string(JSON value ERROR_VARIABLE error GET "${json}" ${ARGN})
  if(error)
    list(JOIN ARGN "." key)
    message(FATAL_ERROR "extension/shared/protocol.json has no ${key}, which the macOS configuration profile needs: ${error}")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# certbridge_write_mobileconfig(file protocol_json origins...): origins are the portal's.
function(certbridge_write_mobileconfig file protocol_json)
  set(PROFILE_ORIGIN_LIST ${ARGN})
  if(NOT PROFILE_ORIGIN_LIST)
    message(FATAL_ERROR "the configuration profile needs at least one portal origin")
  endif()
  # Chromium's runtime host patterns have no port (a pattern without one matches every port).
  set(PROFILE_RUNTIME_HOSTS "")
  foreach(origin IN LISTS PROFILE_ORIGIN_LIST)
    if(NOT origin MATCHES "^(https://[^/:*]+)(:[0-9]+|:\\*)?$")
      message(FATAL_ERROR "not an https origin for the configuration profile: '${origin}'")
    endif()
    list(APPEND PROFILE_RUNTIME_HOSTS "${CMAKE_MATCH_1}")
  endforeach()
  list(REMOVE_DUPLICATES PROFILE_RUNTIME_HOSTS)

  file(READ "${protocol_json}" protocol)
  protocol_get(host_name "${protocol}" nativeHostName)
  protocol_get(firefox_id "${protocol}" extensionIds firefox)
  protocol_get(chrome_store_id "${protocol}" extensionIds stores chromeWebStore chromiumId)
  protocol_get(chrome_store_url "${protocol}" extensionIds stores chromeWebStore updateUrl)
  protocol_get(edge_store_id "${protocol}" extensionIds stores edgeAddons chromiumId)
  protocol_get(edge_store_url "${protocol}" extensionIds stores edgeAddons updateUrl)
  protocol_get(firefox_install_url "${protocol}" extensionIds stores firefoxAddons installUrl)
  string(JSON chromium_count ERROR_VARIABLE error LENGTH "${protocol}" extensionIds chromium)
  if(error OR chromium_count EQUAL 0)
    message(FATAL_ERROR "extension/shared/protocol.json has no extensionIds.chromium list: ${error}")
  endif()
  set(chromium_ids "")
  math(EXPR last "${chromium_count} - 1")
  foreach(i RANGE ${last})
    protocol_get(id "${protocol}" extensionIds chromium ${i})
    list(APPEND chromium_ids "${id}")
  endforeach()

  set(content "")
  foreach(browser IN ITEMS chrome edge)
    if(browser STREQUAL "chrome")
      set(domain com.google.Chrome)
      set(name "Google Chrome")
      set(store_id "${chrome_store_id}")
      set(store_url "${chrome_store_url}")
    else()
      set(domain com.microsoft.Edge)
      set(name "Microsoft Edge")
      set(store_id "${edge_store_id}")
      set(store_url "${edge_store_url}")
    endif()
    chromium_extension_settings(body "\t\t\t" "${store_id}" "${store_url}")
    plist_key_strings(body "\t\t\t" NativeMessagingAllowlist "${host_name}")
    profile_payload(content "${domain}" "com.certbridge.profile.${browser}"
      "${name}: install CertBridge, allow its native host" "${body}")
    # Every ID the extension may have in this browser (the same browser may install it from either store).
    foreach(id IN LISTS chromium_ids)
      managed_settings(body "\t\t\t")
      profile_payload(content "${domain}.extensions.${id}" "com.certbridge.profile.${browser}.extension.${id}"
        "${name}: CertBridge allowed sites (${id})" "${body}")
    endforeach()
  endforeach()

  set(addon "")
  plist_key_string(addon "\t\t\t\t\t" installation_mode force_installed)
  plist_key_string(addon "\t\t\t\t\t" install_url "${firefox_install_url}")
  # Firefox takes Chrome's host pattern format here (Firefox ESR 153's policies-schema.json and parser).
  plist_key_strings(addon "\t\t\t\t\t" runtime_blocked_hosts "*://*")
  plist_key_strings(addon "\t\t\t\t\t" runtime_allowed_hosts ${PROFILE_RUNTIME_HOSTS})
  set(addons "")
  plist_key_dict(addons "\t\t\t\t" "${firefox_id}" "${addon}")
  set(body "")
  plist_key_bool(body "\t\t\t" EnterprisePoliciesEnabled TRUE)
  plist_key_dict(body "\t\t\t" ExtensionSettings "${addons}")
  managed_settings(settings "\t\t\t\t\t\t")
  set(managed "")
  plist_key_dict(managed "\t\t\t\t\t" "${firefox_id}" "${settings}")
  set(third_party "")
  plist_key_dict(third_party "\t\t\t\t" Extensions "${managed}")
  plist_key_dict(body "\t\t\t" 3rdparty "${third_party}")
  profile_payload(content org.mozilla.firefox com.certbridge.profile.firefox
    "Firefox: install CertBridge and set its allowed sites" "${body}")

  profile_uuid(uuid com.certbridge.profile)
  set(root "")
  plist_key_string(root "\t" PayloadType Configuration)
  plist_key_string(root "\t" PayloadIdentifier com.certbridge.profile)
  plist_key_string(root "\t" PayloadUUID "${uuid}")
  plist_key_integer(root "\t" PayloadVersion 1)
  plist_key_string(root "\t" PayloadScope System)
  plist_key_string(root "\t" PayloadOrganization CertBridge)
  plist_key_string(root "\t" PayloadDisplayName "CertBridge browser extension")
  list(JOIN PROFILE_ORIGIN_LIST ", " origins_text)
  plist_key_string(root "\t" PayloadDescription
    "Installs the CertBridge extension in Chrome, Edge and Firefox, limits it to the RA portal (${origins_text}) and lets it start the CertBridge host.")
  plist_key(root "\t" PayloadContent)
  string(APPEND root "\t<array>\n${content}\t</array>\n")
  plist_document(document "<dict>\n${root}</dict>\n")
  file(WRITE "${file}" "${document}")
endfunction()
