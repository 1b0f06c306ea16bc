// A fast path for the PNGs the datasets hold (8-bit greyscale, not interlaced): chunks parsed
// here, the image data inflated by libdeflate (about twice zlib's speed) and unfiltered in place.
// Anything else — other formats, ancillary features, or any inconsistency — returns false and
// the caller decodes with libpng, which also words the errors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cvb {

/// Decodes an 8-bit greyscale, non-interlaced PNG into `pixels` (malloc'ed, width × height;
/// the caller frees it). False when the file is not of that kind or not valid (nothing allocated).
bool decodeGreyPNG(const uint8_t *bytes, size_t count, uint8_t **pixels, int *width, int *height);

} // namespace cvb
