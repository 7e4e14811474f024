# Packs an assembled extension folder into the zip a store takes (cmake -DFOLDER=<dir> -DARCHIVE=<file>
# -P pack.cmake): every file under FOLDER with its path relative to it, manifest.json at the top (the Chrome
# Web Store, Edge Add-ons and addons.mozilla.org all read it there), names sorted.

cmake_minimum_required(VERSION 3.25)
get_filename_component(FOLDER "${FOLDER}" ABSOLUTE)
if(NOT IS_DIRECTORY "${FOLDER}" OR NOT EXISTS "${FOLDER}/manifest.json")
  message(FATAL_ERROR "pack.cmake: \"${FOLDER}\" is not an assembled extension (no manifest.json)")
endif()

file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${FOLDER}" "${FOLDER}/*")
list(SORT files)
# The archive names entries by the paths it is given: run it in the folder, with paths relative to it.
get_filename_component(archive "${ARCHIVE}" ABSOLUTE)
file(REMOVE "${archive}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E chdir "${FOLDER}"
          "${CMAKE_COMMAND}" -E tar cf "${archive}" --format=zip -- ${files}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "pack.cmake: could not write ${archive}")
endif()
