#include "parallax.h"

#define PX_STRING2(x) #x
#define PX_STRING(x) PX_STRING2(x)

/* The version string follows the header's version macros, so that the two cannot disagree. */
const char *px_version(void) {
    return PX_STRING(PARALLAX_VERSION_MAJOR) "." PX_STRING(PARALLAX_VERSION_MINOR) "." PX_STRING(PARALLAX_VERSION_PATCH);
}
