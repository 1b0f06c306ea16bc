// SuiteSparse CHOLMOD, as Debian's libsuitesparse-dev installs it.
#ifndef PARALLAX_CCHOLMOD_SHIM_H
#define PARALLAX_CCHOLMOD_SHIM_H
#include <suitesparse/cholmod.h>
#endif
