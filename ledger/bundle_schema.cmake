# The schema files an audit bundle carries in its schema/ folder (FORMAT.md "Audit bundle"):
# every .capnp file under ledger/schema/ (recursively), and the Cap'n Proto standard imports they
# use. They are embedded in dutyledger_ledger at build time, so `dutyledger export` works from any
# folder. Included from ledger/CMakeLists.txt after dutyledger_ledger is defined.
file(GLOB_RECURSE DUTYLEDGER_BUNDLE_SCHEMA_FILES CONFIGURE_DEPENDS
     RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/schema ${CMAKE_CURRENT_SOURCE_DIR}/schema/*.capnp)
set(DUTYLEDGER_BUNDLE_SCHEMA_ARGS)
set(DUTYLEDGER_BUNDLE_SCHEMA_DEPS)
foreach(f ${DUTYLEDGER_BUNDLE_SCHEMA_FILES})
  list(APPEND DUTYLEDGER_BUNDLE_SCHEMA_ARGS "${f}=${CMAKE_CURRENT_SOURCE_DIR}/schema/${f}")
  list(APPEND DUTYLEDGER_BUNDLE_SCHEMA_DEPS ${CMAKE_CURRENT_SOURCE_DIR}/schema/${f})
endforeach()
foreach(f c++.capnp compat/json.capnp)
  list(APPEND DUTYLEDGER_BUNDLE_SCHEMA_ARGS "capnp/${f}=${CAPNP_INCLUDE_DIRECTORY}/capnp/${f}")
  list(APPEND DUTYLEDGER_BUNDLE_SCHEMA_DEPS ${CAPNP_INCLUDE_DIRECTORY}/capnp/${f})
endforeach()
string(REPLACE ";" "|" DUTYLEDGER_BUNDLE_SCHEMA_ARGS "${DUTYLEDGER_BUNDLE_SCHEMA_ARGS}")
set(DUTYLEDGER_BUNDLE_SCHEMA_CC ${DUTYLEDGER_GEN_DIR}/ledger/bundle_schema_files.cc)
add_custom_command(
  OUTPUT ${DUTYLEDGER_BUNDLE_SCHEMA_CC}
  COMMAND ${CMAKE_COMMAND} "-DFILES=${DUTYLEDGER_BUNDLE_SCHEMA_ARGS}"
          -DOUT=${DUTYLEDGER_BUNDLE_SCHEMA_CC} -P ${CMAKE_CURRENT_SOURCE_DIR}/embed_schema.cmake
  DEPENDS ${DUTYLEDGER_BUNDLE_SCHEMA_DEPS} ${CMAKE_CURRENT_SOURCE_DIR}/embed_schema.cmake
  COMMENT "Embedding the schema files for audit bundles"
  VERBATIM)
target_sources(dutyledger_ledger PRIVATE ${DUTYLEDGER_BUNDLE_SCHEMA_CC})
