# How each distribution channel's manifest.json differs from the one source (extension/src/manifest.json).
#
# The source is the development manifest, which one unpacked folder loads in Chromium and Firefox alike
# (the test bed, the demo): the fixed `key` (a stable Chromium ID, the Chrome Web Store item's), both
# background keys, content scripts on loopback http for the demo portal, and both browsers' settings.
# The store channels take out what their store refuses or ignores:
#
#   development     as the source
#   chromium-store  Chrome Web Store and Edge Add-ons: no `key` (the Chrome Web Store refuses it; the store's
#                   own signature gives the ID), the service worker only, no Firefox settings, https content
#                   scripts only
#   firefox-amo     addons.mozilla.org (signing): no `key`, the background scripts only (Firefox ignores a
#                   service worker and web-ext lint warns about it), no Chromium minimum, https content
#                   scripts only
#
# Minimum browser versions, each the newest that a feature the channel's manifest or code needs arrived in:
#   Chromium, development: 121, the first that loads an MV3 manifest holding `background.scripts` beside
#     `service_worker` (older ones refuse the manifest).
#   Chromium, store: 105, the first whose extension service worker stays alive while a native-messaging port
#     is open (the consent window waits for the user, and an on-card key generation runs for minutes, on one
#     open port); module service workers (92) and Object.hasOwn / crypto.randomUUID (93, 92) are older.
#   Firefox, both: 140, the first that reads `data_collection_permissions` (MV3 background modules, 112,
#     and everything else the add-on uses are older); Firefox for Android reads it from 142. The add-on has
#     no use on Android (no native messaging there), but the manifest states the minimum all the same.
#   `data_collection_permissions` is {"required": ["none"]}: the extension sends nothing to us or to any
#     server; what it relays stays between the user's own portal page, the browser and the local host.
set(CERTBRIDGE_CHROMIUM_STORE_MINIMUM_VERSION "105")

include("${CMAKE_CURRENT_LIST_DIR}/string_literal.cmake")

# Keeps only the https match patterns of every content script: loopback http is for the test bed and the
# demo portal, which run the development build.
function(https_content_scripts_only out manifest)
  string(JSON script_count LENGTH "${manifest}" content_scripts)
  math(EXPR last_script "${script_count} - 1")
  foreach(script RANGE ${last_script})
    string(JSON match_count LENGTH "${manifest}" content_scripts ${script} matches)
    math(EXPR last_match "${match_count} - 1")
    set(kept "[]")
    set(kept_count 0)
    foreach(i RANGE ${last_match})
      string(JSON pattern GET "${manifest}" content_scripts ${script} matches ${i})
      if(pattern MATCHES "^https://")
        string_literal(quoted "${pattern}")
        string(JSON kept SET "${kept}" ${kept_count} "${quoted}")
        math(EXPR kept_count "${kept_count} + 1")
      endif()
    endforeach()
    if(kept_count EQUAL 0)
      message(FATAL_ERROR "manifest.json: content script ${script} has no https match pattern left for a store build")
    endif()
    string(JSON manifest SET "${manifest}" content_scripts ${script} matches "${kept}")
  endforeach()
  set(${out} "${manifest}" PARENT_SCOPE)
endfunction()

# Sets `out` to `manifest` as `channel` (development, chromium-store or firefox-amo) ships it.
function(channel_manifest out manifest channel)
  if(channel STREQUAL "development")
    set(${out} "${manifest}" PARENT_SCOPE)
    return()
  elseif(channel STREQUAL "chromium-store")
    string(JSON manifest REMOVE "${manifest}" key)
    string(JSON manifest REMOVE "${manifest}" background scripts)
    string(JSON manifest REMOVE "${manifest}" browser_specific_settings)
    string(JSON manifest SET "${manifest}" minimum_chrome_version "\"${CERTBRIDGE_CHROMIUM_STORE_MINIMUM_VERSION}\"")
  elseif(channel STREQUAL "firefox-amo")
    string(JSON manifest REMOVE "${manifest}" key)
    string(JSON manifest REMOVE "${manifest}" background service_worker)
    string(JSON manifest REMOVE "${manifest}" minimum_chrome_version)
  else()
    message(FATAL_ERROR "unknown extension channel \"${channel}\" (development, chromium-store or firefox-amo)")
  endif()
  https_content_scripts_only(manifest "${manifest}")
  set(${out} "${manifest}" PARENT_SCOPE)
endfunction()
