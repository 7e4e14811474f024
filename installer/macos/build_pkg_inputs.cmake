# Makes the macOS pkg inputs (installer/macos/CMakeLists.txt says what and why). Run with cmake -P and:
#   SOURCE_DIR         installer/macos
#   OUTPUT_DIR         the tree to make (emptied first)
#   LINUX_HOST         the certbridge-host of this build: it writes the manifests (install --layout macos)
#   MACOS_HOST         certbridge-host built for macOS, or empty for the marked placeholder
#   HOST_INSTALL_PATH  /Library/.../<name>.app/Contents/MacOS/certbridge-host
#   PROTOCOL_JSON, VERSION, MIN_MACOS
#   PROFILE_ORIGINS    the configuration profile's portal origins, separated by "|"
cmake_minimum_required(VERSION 3.25)

foreach(var SOURCE_DIR OUTPUT_DIR LINUX_HOST HOST_INSTALL_PATH PROTOCOL_JSON VERSION MIN_MACOS PROFILE_ORIGINS)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "build_pkg_inputs.cmake: ${var} is not set")
  endif()
endforeach()
include("${SOURCE_DIR}/mobileconfig.cmake")

# Identifiers: the component package (pkgutil --pkgs, the receipt), the host's bundle (codesign), the product.
set(PKG_ID com.certbridge.host)
set(BUNDLE_ID com.certbridge.host)
set(PRODUCT_ID com.certbridge)
set(COMPONENT_PKG certbridge-host-component.pkg)
set(CLI_ID com.certbridge.cli)

if(NOT HOST_INSTALL_PATH MATCHES "^(/Library/[A-Za-z0-9 ._/-]+\\.app)/Contents/MacOS/certbridge-host$")
  message(FATAL_ERROR "the host's install path must be /Library/.../<name>.app/Contents/MacOS/certbridge-host: ${HOST_INSTALL_PATH}")
endif()
set(APP_BUNDLE_PATH "${CMAKE_MATCH_1}")
# certbridge, the help-desk command (make_pkg.sh --cli), beside the host; the paths.d file that puts its
# folder on PATH (make_pkg.sh says why that way).
get_filename_component(host_folder "${HOST_INSTALL_PATH}" DIRECTORY)
set(CLI_INSTALL_PATH "${host_folder}/certbridge")
set(PATHS_D_FILE "/private/etc/paths.d/certbridge")
string(SUBSTRING "${APP_BUNDLE_PATH}" 1 -1 BUNDLE_ROOT_RELATIVE_PATH)
file(READ "${PROTOCOL_JSON}" protocol)
string(JSON host_name GET "${protocol}" nativeHostName)
set(MANIFEST_NAME "${host_name}.json")

file(REMOVE_RECURSE "${OUTPUT_DIR}")
set(payload "${OUTPUT_DIR}/payload")
file(MAKE_DIRECTORY "${payload}" "${OUTPUT_DIR}/scripts")

# The manifests, written by the host's own installer in the Mac's system-wide layout.
execute_process(
  COMMAND "${LINUX_HOST}" install --system --browser all --layout macos --destdir "${payload}"
          --host-path "${HOST_INSTALL_PATH}"
  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE error)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "writing the macOS manifests failed (${result}): ${error}${output}")
endif()

# The host in its bundle: the Mac's binary, or the placeholder that says no macOS binary was built here.
set(bundle "${payload}${APP_BUNDLE_PATH}")
file(MAKE_DIRECTORY "${bundle}/Contents/MacOS")
if(MACOS_HOST)
  if(NOT EXISTS "${MACOS_HOST}")
    message(FATAL_ERROR "CERTBRIDGE_MACOS_HOST does not exist: ${MACOS_HOST}")
  endif()
  # Mach-O magic: universal (cafebabe), 64-bit (cffaedfe little-endian).
  file(READ "${MACOS_HOST}" magic LIMIT 4 HEX)
  if(NOT magic MATCHES "^(cafebabe|cffaedfe)$")
    message(FATAL_ERROR "CERTBRIDGE_MACOS_HOST is not a macOS executable (Mach-O): ${MACOS_HOST}")
  endif()
  file(COPY_FILE "${MACOS_HOST}" "${bundle}/Contents/MacOS/certbridge-host")
  set(host_kind "the macOS host ${MACOS_HOST}")
else()
  file(COPY_FILE "${SOURCE_DIR}/placeholder-host.sh" "${bundle}/Contents/MacOS/certbridge-host")
  set(host_kind "a PLACEHOLDER: no macOS binary is built here")
endif()
configure_file("${SOURCE_DIR}/Info.plist.in" "${bundle}/Contents/Info.plist" @ONLY)

# postinstall and uninstall.sh get the manifest directories the host wrote (a bash array, one quoted path a line).
file(GLOB_RECURSE manifests "${payload}/*/${MANIFEST_NAME}")
list(SORT manifests)
set(MANIFEST_DIRS "")
foreach(manifest IN LISTS manifests)
  file(RELATIVE_PATH relative "${payload}" "${manifest}")
  get_filename_component(dir "/${relative}" DIRECTORY)
  if(NOT dir MATCHES "^/Library/[A-Za-z0-9 ._/-]+$")
    message(FATAL_ERROR "unexpected manifest directory: ${dir}")
  endif()
  string(APPEND MANIFEST_DIRS "  \"${dir}\"\n")
endforeach()
string(REGEX REPLACE "\n$" "" MANIFEST_DIRS "${MANIFEST_DIRS}")
list(LENGTH manifests manifest_count)
if(manifest_count LESS 4)
  message(FATAL_ERROR "the host wrote ${manifest_count} macOS manifests, expected one per browser")
endif()

# The uninstaller beside the bundle, and the configuration the host reads there (never shipped: the admin's).
get_filename_component(app_folder "${APP_BUNDLE_PATH}" DIRECTORY)
set(UNINSTALL_PATH "${app_folder}/uninstall.sh")
set(CONFIG_PATH "${app_folder}/config.json")
configure_file("${SOURCE_DIR}/uninstall.sh" "${payload}${UNINSTALL_PATH}" @ONLY)

# Modes as installed (pkgbuild keeps them; --ownership recommended makes the owner root:wheel).
file(GLOB_RECURSE payload_directories LIST_DIRECTORIES true "${payload}/*")
list(APPEND payload_directories "${payload}")
foreach(path IN LISTS payload_directories)
  if(IS_DIRECTORY "${path}")
    file(CHMOD "${path}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  else()
    file(CHMOD "${path}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
endforeach()
file(CHMOD "${bundle}/Contents/MacOS/certbridge-host" "${payload}${UNINSTALL_PATH}"
  PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(executable OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
configure_file("${SOURCE_DIR}/postinstall" "${OUTPUT_DIR}/scripts/postinstall" @ONLY
  FILE_PERMISSIONS ${executable})
configure_file("${SOURCE_DIR}/make_pkg.sh" "${OUTPUT_DIR}/make_pkg.sh" @ONLY FILE_PERMISSIONS ${executable})
configure_file("${SOURCE_DIR}/component.plist.in" "${OUTPUT_DIR}/component.plist" @ONLY)
file(COPY_FILE "${SOURCE_DIR}/certbridge-host.entitlements" "${OUTPUT_DIR}/certbridge-host.entitlements")
configure_file("${SOURCE_DIR}/Distribution.xml.in" "${OUTPUT_DIR}/Distribution.xml" @ONLY)
file(COPY_FILE "${SOURCE_DIR}/README.md" "${OUTPUT_DIR}/README.md")
string(REPLACE "|" ";" origins "${PROFILE_ORIGINS}")
certbridge_write_mobileconfig("${OUTPUT_DIR}/CertBridge.mobileconfig" "${PROTOCOL_JSON}" ${origins})

message(STATUS "macOS pkg inputs in ${OUTPUT_DIR}; the host slot holds ${host_kind}")
