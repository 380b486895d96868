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

# Optional dependencies: each is a plugin's (lib/plugins/NAME) or the Python module's, chosen by
# SPAX_WITH_NAME: AUTO (default) builds the piece when the dependency is found, ON makes a missing dependency a
# configure error naming the package, OFF skips it. spax_optional_result records the outcome in
# SPAX_HAS_NAME (0/1, for spax/config.hpp) and prints one line.
function(spax_optional_option name help)
  set(SPAX_WITH_${name} AUTO CACHE STRING "${help}: AUTO (when found), ON (required) or OFF")
  set_property(CACHE SPAX_WITH_${name} PROPERTY STRINGS AUTO ON OFF)
endfunction()

# An optional fourth argument names the piece in the messages (default: "NAME plugin").
function(spax_optional_result name found what)
  set(label "${name} plugin")
  if(ARGC GREATER 3)
    set(label "${ARGV3}")
  endif()
  if(found AND NOT SPAX_WITH_${name} STREQUAL "OFF")
    set(SPAX_HAS_${name} 1 PARENT_SCOPE)
    message(STATUS "spax: ${label}: built")
  else()
    if(SPAX_WITH_${name} STREQUAL "ON")
      message(FATAL_ERROR "spax: SPAX_WITH_${name}=ON but ${what}")
    endif()
    set(SPAX_HAS_${name} 0 PARENT_SCOPE)
    if(SPAX_WITH_${name} STREQUAL "OFF")
      message(STATUS "spax: ${label}: off (SPAX_WITH_${name}=OFF)")
    else()
      message(STATUS "spax: ${label}: not built (${what})")
    endif()
  endif()
endfunction()

# hypre (BoomerAMG) from libhypre-dev. Debian builds it with MPI (Open MPI), so its headers need
# mpi.h and the library needs libmpi; only the plugin lib/plugins/hypre sees either.
spax_optional_option(HYPRE "hypre plugin (amg solver and preconditioner)")
set(_spax_hypre_found FALSE)
if(NOT SPAX_WITH_HYPRE STREQUAL "OFF")
  find_path(SPAX_HYPRE_INCLUDE_DIR NAMES HYPRE_parcsr_ls.h PATH_SUFFIXES hypre)
  find_library(SPAX_LIB_hypre NAMES HYPRE)
  find_package(MPI COMPONENTS C QUIET)
  if(SPAX_HYPRE_INCLUDE_DIR AND SPAX_LIB_hypre AND MPI_C_FOUND)
    set(_spax_hypre_found TRUE)
  endif()
endif()
spax_optional_result(HYPRE ${_spax_hypre_found}
  "hypre or MPI not found: install the Debian package libhypre-dev")
if(SPAX_HAS_HYPRE)
  add_library(spax_hypre_deps INTERFACE)
  target_include_directories(spax_hypre_deps SYSTEM INTERFACE ${SPAX_HYPRE_INCLUDE_DIR})
  # The C bindings only: Open MPI's mpi.h otherwise pulls in its C++ bindings (libmpi_cxx).
  target_compile_definitions(spax_hypre_deps INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
  target_link_libraries(spax_hypre_deps INTERFACE ${SPAX_LIB_hypre} MPI::MPI_C)
endif()
# MUMPS (distributed multifrontal LU/LDL^T) from libmumps-dev: its C interface (dmumps_c.h,
# zmumps_c.h), the double real and complex libraries, and MPI, seen only by lib/plugins/mumps.
# (/usr/include/mumps_seq holds the sequential build's fake mpi.h: never on the include path.)
spax_optional_option(MUMPS "MUMPS plugin (mumps solver, on 1 or N processes under MPI)")
set(_spax_mumps_found FALSE)
if(NOT SPAX_WITH_MUMPS STREQUAL "OFF")
  find_path(SPAX_MUMPS_INCLUDE_DIR NAMES dmumps_c.h)
  find_library(SPAX_LIB_dmumps NAMES dmumps)
  find_library(SPAX_LIB_zmumps NAMES zmumps)
  find_library(SPAX_LIB_mumps_common NAMES mumps_common)
  find_package(MPI COMPONENTS C QUIET)
  if(SPAX_MUMPS_INCLUDE_DIR AND EXISTS "${SPAX_MUMPS_INCLUDE_DIR}/zmumps_c.h" AND SPAX_LIB_dmumps
     AND SPAX_LIB_zmumps AND SPAX_LIB_mumps_common AND MPI_C_FOUND)
    set(_spax_mumps_found TRUE)
  endif()
endif()
spax_optional_result(MUMPS ${_spax_mumps_found}
  "MUMPS or MPI not found: install the Debian package libmumps-dev")
if(SPAX_HAS_MUMPS)
  add_library(spax_mumps_deps INTERFACE)
  target_include_directories(spax_mumps_deps SYSTEM INTERFACE ${SPAX_MUMPS_INCLUDE_DIR})
  target_link_libraries(spax_mumps_deps INTERFACE ${SPAX_LIB_dmumps} ${SPAX_LIB_zmumps}
    ${SPAX_LIB_mumps_common})
endif()
# The MPI runtime the MPI plugins share (lib/plugins/mpi), built when one of them is.
if(SPAX_HAS_HYPRE OR SPAX_HAS_MUMPS)
  set(SPAX_HAS_MPI_RUNTIME 1)
else()
  set(SPAX_HAS_MPI_RUNTIME 0)
endif()

# The Python module (python/) from pybind11 (pybind11-dev) and the interpreter's headers
# (python3-dev). It links libspax.so, so sanitizer builds leave it out: the interpreter is not
# instrumented, and an instrumented extension needs the sanitizer runtime preloaded into it (the
# C++ tests cover the library code the module calls). Point CMake at another interpreter with
# -DPython3_EXECUTABLE=...; its numpy, scipy and pytest run the module's tests.
spax_optional_option(PYTHON "Python module (pybind11)")
set(_spax_python_found FALSE)
set(_spax_python_why
    "pybind11 or the Python headers not found: install the Debian packages pybind11-dev python3-dev")
if(SPAX_WITH_PYTHON STREQUAL "OFF")
  set(_spax_python_why "SPAX_WITH_PYTHON=OFF")
else()
  if(SPAX_SANITIZE OR SPAX_FUZZ)
    set(_spax_python_why "left out of sanitizer builds: the interpreter is not instrumented")
  else()
    find_package(Python3 COMPONENTS Interpreter Development.Module QUIET)
    if(Python3_FOUND)
      find_package(pybind11 CONFIG QUIET)
      if(pybind11_FOUND)
        set(_spax_python_found TRUE)
      endif()
    endif()
  endif()
endif()
spax_optional_result(PYTHON ${_spax_python_found} "${_spax_python_why}" "Python module")

# CUDA (cuda-rf, cuda-dense) from the CUDA toolkit: nvcc, the runtime, cuSOLVER, cuSPARSE and
# cuBLAS. Only lib/plugins/cuda sees them; without them nothing of it is configured or built.
# AUTO also wants the NVIDIA driver (libcuda.so.1) on the build machine: a machine with the
# toolkit but no GPU driver (a CI image) keeps the default build free of CUDA code; ON builds
# wherever the toolkit is.
spax_optional_option(CUDA "CUDA plugin (cuda-rf and cuda-dense backends on an NVIDIA GPU)")
set(_spax_cuda_found FALSE)
set(_spax_cuda_why "no CUDA compiler (nvcc) found: install the CUDA toolkit")
if(NOT SPAX_WITH_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    find_package(CUDAToolkit QUIET)
    find_library(SPAX_CUDA_DRIVER_LIBRARY NAMES libcuda.so.1
                 PATHS /usr/local/nvidia/lib64 /usr/local/nvidia/lib)
    if(NOT (CUDAToolkit_FOUND AND TARGET CUDA::cudart AND TARGET CUDA::cusolver
            AND TARGET CUDA::cusparse AND TARGET CUDA::cublas))
      set(_spax_cuda_why "nvcc found but not the CUDA runtime, cuSOLVER, cuSPARSE and cuBLAS")
    elseif(SPAX_WITH_CUDA STREQUAL "AUTO" AND NOT SPAX_CUDA_DRIVER_LIBRARY)
      set(_spax_cuda_why
          "the CUDA toolkit is here but no NVIDIA driver (libcuda.so.1); ON builds it anyway")
    else()
      set(_spax_cuda_found TRUE)
    endif()
  endif()
endif()
spax_optional_result(CUDA ${_spax_cuda_found} "${_spax_cuda_why}")
if(SPAX_HAS_CUDA)
  # Hopper (H100/H200) and Ampere machine code, PTX for newer chips; override with
  # -DCMAKE_CUDA_ARCHITECTURES=...
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES "80-real;90")
  endif()
  enable_language(CUDA)
  add_library(spax_cuda_deps INTERFACE)
  target_link_libraries(spax_cuda_deps INTERFACE CUDA::cudart CUDA::cusolver CUDA::cusparse
                        CUDA::cublas)
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

