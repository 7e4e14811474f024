# Builds the per-machine and the per-user MSI (cmake -P; installer/windows/CMakeLists.txt passes the -D values):
#   1. certbridge-host.exe and certbridge.exe (the help-desk command) stripped of their debug information (the
#      Windows build keeps the full ones);
#   2. the native-messaging manifests, written by the host itself (its `install` command, so their format
#      and the extension IDs of protocol.json have one home) with `path` made relative: on Windows, Chrome,
#      Edge and Firefox read a relative `path` from the manifest's own folder, so the files need no
#      install-time editing and the MSI removes exactly what it put down;
#   3. extension_policies.wxi: the per-extension-ID policy components, one registry key per Chromium ID of
#      protocol.json (wixl's preprocessor has no <?foreach?>);
#   4. wixl, once per scope, then msibuild for what wixl cannot write (SecureCustomProperties, and the
#      Environment table that puts the installation folder on PATH with its two standard actions). The
#      ProductCode is derived from version and scope, so a rebuild of the same version is the same product
#      and the golden tables stay stable; a new version is a new product, which MajorUpgrade replaces.
# With -DSTAGED=ON only step 4 runs, on the WORK_DIR of an earlier run: the upgrade tests build later versions
# of the same package that way.
set(needed WIXL MSIBUILD PROTOCOL_JSON WXS VERSION WORK_DIR PER_MACHINE_MSI PER_USER_MSI)
if(NOT STAGED)
  list(APPEND needed STRIP LINUX_HOST WINDOWS_HOST WINDOWS_CLI)
endif()
foreach(variable IN LISTS needed)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "build_msi.cmake needs -D${variable}=...")
  endif()
endforeach()

# Fixed for the life of the product: MajorUpgrade finds the installed version through them. Two products,
# since a per-user and a per-machine installation live in different installation contexts.
set(upgrade_code_per_machine "6F3E2A1C-8B4D-4F5E-9A7B-2C1D0E3F4A5B")
set(upgrade_code_per_user "9D2C4B6A-1E3F-4A5B-8C7D-6E5F4A3B2C1D")
# Namespace of the derived ProductCodes (any fixed UUID; changing it changes every future ProductCode).
set(product_code_namespace "3B8F6C2E-5A4D-4E1F-9B7A-0C2D4E6F8A1B")

# Step 1 and 2: the stripped programs and the manifests, in WORK_DIR.
function(stage_stripped program staged_name)
  execute_process(COMMAND "${STRIP}" --strip-debug -o "${WORK_DIR}/${staged_name}" "${program}"
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "stripping ${program} failed (${result})")
  endif()
endfunction()
function(stage_host_and_manifests)
  file(REMOVE_RECURSE "${WORK_DIR}")
  file(MAKE_DIRECTORY "${WORK_DIR}")
  stage_stripped("${WINDOWS_HOST}" certbridge-host.exe)
  stage_stripped("${WINDOWS_CLI}" certbridge.exe)
  # The Linux host writes each browser's system-wide manifest under a staging directory; only `path` changes.
  set(manifest_chrome "etc/opt/chrome/native-messaging-hosts")
  set(manifest_edge "etc/opt/edge/native-messaging-hosts")
  set(manifest_firefox "usr/lib/mozilla/native-messaging-hosts")
  foreach(browser chrome edge firefox)
    set(staging "${WORK_DIR}/manifests-${browser}")
    execute_process(
      COMMAND "${LINUX_HOST}" install --system --browser ${browser} --host-path /certbridge-host.exe
              --destdir "${staging}"
      RESULT_VARIABLE result OUTPUT_QUIET)
    if(NOT result EQUAL 0)
      message(FATAL_ERROR "certbridge-host install --browser ${browser} failed (${result})")
    endif()
    file(READ "${staging}/${manifest_${browser}}/com.certbridge.host.json" manifest)
    string(JSON manifest SET "${manifest}" path "\"certbridge-host.exe\"")
    file(WRITE "${WORK_DIR}/com.certbridge.host.${browser}.json" "${manifest}\n")
    file(REMOVE_RECURSE "${staging}")
  endforeach()
endfunction()

# Store IDs and URLs (extensionIds of protocol.json; the host's generated sources check their consistency).
file(READ "${PROTOCOL_JSON}" protocol)
function(protocol_get out)
  string(JSON value ERROR_VARIABLE error GET "${protocol}" extensionIds ${ARGN})
  if(error)
    message(FATAL_ERROR "${PROTOCOL_JSON}: ${error}")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# Step 3: the extensions' managed-storage policy, ALLOWEDORIGINS as the first entry of the allowedOrigins
# list, for every ID the extension may have in Chrome and in Edge (the extension splits an entry on
# whitespace).
function(write_extension_policies)
  string(JSON chromium_count LENGTH "${protocol}" extensionIds chromium)
  math(EXPR last "${chromium_count} - 1")
  set(chromium_ids "")
  foreach(i RANGE ${last})
    protocol_get(id chromium ${i})
    if(NOT id MATCHES "^[a-p]+$")
      message(FATAL_ERROR "${PROTOCOL_JSON}: '${id}' is not a Chromium extension ID")
    endif()
    list(APPEND chromium_ids "${id}")
  endforeach()
  set(policy_base_Chrome "SOFTWARE\\Policies\\Google\\Chrome\\3rdparty\\extensions")
  set(policy_base_Edge "SOFTWARE\\Policies\\Microsoft\\Edge\\3rdparty\\extensions")
  set(wxi "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
  string(APPEND wxi "<!-- Generated by installer/windows/build_msi.cmake from extension/shared/protocol.json. -->\n")
  string(APPEND wxi "<Include>\n")
  foreach(browser Chrome Edge)
    string(APPEND wxi "  <Component Id=\"${browser}ExtensionPolicy\" Guid=\"*\" Win64=\"yes\">\n")
    set(key_path " KeyPath=\"yes\"")
    foreach(id IN LISTS chromium_ids)
      string(APPEND wxi "    <RegistryValue Root=\"$(var.Root)\" Key=\"${policy_base_${browser}}\\${id}\\policy\\allowedOrigins\" "
                        "Name=\"1\" Type=\"string\" Value=\"[ALLOWEDORIGINS]\"${key_path}/>\n")
      set(key_path "")
    endforeach()
    string(APPEND wxi "  </Component>\n")
  endforeach()
  string(APPEND wxi "</Include>\n")
  file(WRITE "${WORK_DIR}/extension_policies.wxi" "${wxi}")
endfunction()

if(NOT STAGED)
  stage_host_and_manifests()
  write_extension_policies()
endif()
protocol_get(firefox_id firefox)
protocol_get(chrome_web_store_id stores chromeWebStore chromiumId)
protocol_get(chrome_web_store_url stores chromeWebStore updateUrl)
protocol_get(edge_addons_id stores edgeAddons chromiumId)
protocol_get(edge_addons_url stores edgeAddons updateUrl)
protocol_get(firefox_install_url stores firefoxAddons installUrl)

# Step 4.
# wixl's own (MajorUpgrade's) and ours (certbridge.wxs says why).
set(secure_properties
  "ALLOWEDORIGINS;CMDLINE_ALLOWEDORIGINS;CMDLINE_FORCEINSTALL;FORCEINSTALL;WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED")
foreach(scope per-machine per-user)
  if(scope STREQUAL "per-machine")
    set(install_scope perMachine)
    set(upgrade_code "${upgrade_code_per_machine}")
    set(output "${PER_MACHINE_MSI}")
    set(path_variable "=-*PATH")  # the system PATH (HKLM\...\Session Manager\Environment)
  else()
    set(install_scope perUser)
    set(upgrade_code "${upgrade_code_per_user}")
    set(output "${PER_USER_MSI}")
    set(path_variable "=-PATH")  # the user's PATH (HKCU\Environment)
  endif()
  string(UUID product_code NAMESPACE "${product_code_namespace}" NAME "certbridge-${VERSION}-${scope}" TYPE SHA1 UPPER)
  execute_process(
    COMMAND "${WIXL}" -a x64 -I "${WORK_DIR}"
      -D "Version=${VERSION}" -D "Scope=${install_scope}" -D "ProductCode=${product_code}"
      -D "UpgradeCode=${upgrade_code}"
      -D "FirefoxId=${firefox_id}"
      -D "ChromeWebStoreId=${chrome_web_store_id}" -D "ChromeWebStoreUrl=${chrome_web_store_url}"
      -D "EdgeAddonsId=${edge_addons_id}" -D "EdgeAddonsUrl=${edge_addons_url}"
      -D "FirefoxInstallUrl=${firefox_install_url}"
      -o "${output}.tmp" "${WXS}"
    WORKING_DIRECTORY "${WORK_DIR}"  # wixl looks for the files to package (relative Source) here
    RESULT_VARIABLE result OUTPUT_VARIABLE wixl_output ERROR_VARIABLE wixl_output)
  # wixl reports some errors on stderr with exit status 0: any output is a failure.
  if(NOT result EQUAL 0 OR NOT wixl_output STREQUAL "")
    file(REMOVE "${output}.tmp")
    message(FATAL_ERROR "wixl failed for the ${scope} MSI (${result}):\n${wixl_output}")
  endif()
  # The installation folder on PATH, so that a new console finds certbridge (wixl has no <Environment>).
  # "=" sets the variable on install, "-" takes our part out of it on uninstall, "*" names the system's
  # variable; "[~];" appends to the existing value. Tied to HostFiles: installed and removed with the
  # programs. wixl schedules neither environment action: they go at WiX's standard sequence numbers
  # (RemoveEnvironmentStrings 3300, between RemoveRegistryValues and RemoveFiles; WriteEnvironmentStrings
  # 5200, after WriteRegistryValues).
  set(environment_idt "${WORK_DIR}/${scope}/Environment.idt")
  file(WRITE "${environment_idt}"
    "Environment\tName\tValue\tComponent_\ns72\tl255\tL255\ts72\nEnvironment\tEnvironment\n"
    "InstallDirOnPath\t${path_variable}\t[~];[INSTALLDIR]\tHostFiles\n")
  execute_process(
    COMMAND "${MSIBUILD}" "${output}.tmp"
      -q "UPDATE `Property` SET `Value` = '${secure_properties}' WHERE `Property` = 'SecureCustomProperties'"
      -i "${environment_idt}"
      -q "INSERT INTO `InstallExecuteSequence` (`Action`, `Sequence`) VALUES ('RemoveEnvironmentStrings', 3300)"
      -q "INSERT INTO `InstallExecuteSequence` (`Action`, `Sequence`) VALUES ('WriteEnvironmentStrings', 5200)"
    RESULT_VARIABLE result OUTPUT_VARIABLE msibuild_output ERROR_VARIABLE msibuild_output)
  if(NOT result EQUAL 0 OR NOT msibuild_output STREQUAL "")
    file(REMOVE "${output}.tmp")
    message(FATAL_ERROR "msibuild could not complete the ${scope} MSI (${result}):\n${msibuild_output}")
  endif()
  file(RENAME "${output}.tmp" "${output}")
endforeach()
