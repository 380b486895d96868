# Finds every dependency from the Debian packages. SuiteSparse 5.x, METIS and OpenBLAS ship no
# CMake package config on Debian, so their headers and libraries are found explicitly; a missing
# one stops the configuration with the name of the package that provides it.

set(SPAX_SUITESPARSE_HINTS /usr/include/suitesparse /usr/local/include/suitesparse)

function(spax_require_header var header package)
  find_path(${var} NAMES ${header} HINTS ${SPAX_SUITESPARSE_HINTS} PATH_SUFFIXES suitesparse superlu eigen3)
  if(NOT ${var})
    message(FATAL_ERROR "spax: header ${header} not found: install the Debian package ${package} "
                        "(apt-get install ${package})")
  endif()
endfunction()

function(spax_require_library var name package)
  find_library(${var} NAMES ${name})
  if(NOT ${var})
    message(FATAL_ERROR "spax: library lib${name} not found: install the Debian package ${package} "
                        "(apt-get install ${package})")
  endif()
endfunction()

spax_require_header(SPAX_SUITESPARSE_INCLUDE_DIR klu.h libsuitesparse-dev)
foreach(h amd.h colamd.h camd.h btf.h cholmod.h umfpack.h SuiteSparse_config.h)
  if(NOT EXISTS "${SPAX_SUITESPARSE_INCLUDE_DIR}/${h}")
    message(FATAL_ERROR "spax: header ${h} not found beside klu.h: install libsuitesparse-dev")
  endif()
endforeach()
set(SPAX_SUITESPARSE_LIBS)
foreach(l klu umfpack cholmod amd colamd camd ccolamd btf suitesparseconfig)
  spax_require_library(SPAX_LIB_${l} ${l} libsuitesparse-dev)
  list(APPEND SPAX_SUITESPARSE_LIBS ${SPAX_LIB_${l}})
endforeach()

spax_require_header(SPAX_METIS_INCLUDE_DIR metis.h libmetis-dev)
spax_require_library(SPAX_LIB_metis metis libmetis-dev)

spax_require_header(SPAX_SUPERLU_INCLUDE_DIR slu_ddefs.h libsuperlu-dev)
spax_require_library(SPAX_LIB_superlu superlu libsuperlu-dev)

spax_require_header(SPAX_EIGEN_INCLUDE_DIR Eigen/Sparse libeigen3-dev)

spax_require_library(SPAX_LIB_openblas openblas libopenblas-dev)
spax_require_library(SPAX_LIB_lapack lapack liblapack-dev)

# hypre (BoomerAMG) from libhypre-dev. Debian builds it with MPI (Open MPI), so its headers need
# mpi.h and the library needs libmpi; only the plugin lib/plugins/hypre_amg.cpp sees either.
find_path(SPAX_HYPRE_INCLUDE_DIR NAMES HYPRE_parcsr_ls.h PATH_SUFFIXES hypre)
spax_require_library(SPAX_LIB_hypre HYPRE libhypre-dev)
if(NOT SPAX_HYPRE_INCLUDE_DIR)
  message(FATAL_ERROR "spax: header HYPRE_parcsr_ls.h not found: install the Debian package "
                      "libhypre-dev (apt-get install libhypre-dev)")
endif()
find_package(MPI COMPONENTS C QUIET)
if(NOT MPI_C_FOUND)
  message(FATAL_ERROR "spax: MPI (C) not found, which hypre needs: install the Debian package "
                      "libhypre-dev (it brings mpi-default-dev)")
endif()

find_package(ZLIB)
if(NOT ZLIB_FOUND)
  message(FATAL_ERROR "spax: zlib not found: install the Debian package zlib1g-dev")
endif()
find_package(BZip2)
if(NOT BZIP2_FOUND)
  message(FATAL_ERROR "spax: libbz2 not found (for .mtx.bz2): install the Debian package "
                      "libbz2-dev")
endif()
find_package(Threads REQUIRED)

find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  message(FATAL_ERROR "spax: CLI11 not found: install the Debian package libcli11-dev")
endif()
find_package(nlohmann_json 3 CONFIG QUIET)
if(NOT nlohmann_json_FOUND)
  message(FATAL_ERROR "spax: nlohmann-json not found: install the Debian package nlohmann-json3-dev")
endif()

add_library(spax_deps INTERFACE)
target_include_directories(spax_deps SYSTEM INTERFACE
  ${SPAX_SUITESPARSE_INCLUDE_DIR} ${SPAX_METIS_INCLUDE_DIR} ${SPAX_SUPERLU_INCLUDE_DIR}
  ${SPAX_EIGEN_INCLUDE_DIR})
target_link_libraries(spax_deps INTERFACE ${SPAX_SUITESPARSE_LIBS} ${SPAX_LIB_metis}
  ${SPAX_LIB_superlu} ${SPAX_LIB_openblas} ${SPAX_LIB_lapack}
  ZLIB::ZLIB BZip2::BZip2 Threads::Threads nlohmann_json::nlohmann_json)

# hypre and MPI, for the AMG plugin only.
add_library(spax_hypre_deps INTERFACE)
target_include_directories(spax_hypre_deps SYSTEM INTERFACE ${SPAX_HYPRE_INCLUDE_DIR})
# The C bindings only: Open MPI's mpi.h otherwise pulls in its C++ bindings (libmpi_cxx).
target_compile_definitions(spax_hypre_deps INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
target_link_libraries(spax_hypre_deps INTERFACE ${SPAX_LIB_hypre} MPI::MPI_C)
