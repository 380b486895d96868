# Installs the build tree into a scratch prefix, then configures, builds and runs a consumer
# project that uses find_package(spax).
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed")
endif()
if(NOT EXISTS "${prefix}/bin/spax")
  message(FATAL_ERROR "the spax binary was not installed")
endif()
execute_process(COMMAND "${prefix}/bin/spax" --version RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "spax [0-9]")
  message(FATAL_ERROR "installed spax --version failed: ${out}")
endif()
# The installed plugins lie beside the installed library.
execute_process(COMMAND "${prefix}/bin/spax" --version OUTPUT_VARIABLE out)
if(EXISTS "${BUILD_DIR}/lib/libspax-hypre.so" AND NOT out MATCHES "${prefix}/lib[^:]*/libspax-hypre.so: loaded")
  message(FATAL_ERROR "the installed spax does not find its installed plugin: ${out}")
endif()
# A sanitizer build of libspax needs the consumer linked with the same runtime.
set(extra)
if(SANITIZE)
  set(extra "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined"
            "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/tests/consumer" -B "${WORK_DIR}/build"
                        "-DCMAKE_PREFIX_PATH=${prefix}" ${extra}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the consumer against the installed package failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${WORK_DIR}/build" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the consumer failed")
endif()
execute_process(COMMAND "${WORK_DIR}/build/consumer" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message(STATUS "${out}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "nnz 5" OR NOT out MATCHES "consumer-jacobi solved it")
  message(FATAL_ERROR "the consumer did not run correctly: ${out}")
endif()
