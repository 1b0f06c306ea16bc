// Internal helpers shared by the bridge's C++ files. Not part of the C interface.
#pragma once

#include "cvbridge.h"

#include <opencv2/core.hpp>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

namespace cvb {

/// Fills an error report (message truncated to the buffer) and returns the code.
inline int fail(cvb_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
inline int fail(cvb_error *err, int code, const char *fmt, ...) {
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

inline void clear(cvb_error *err) {
    if (err) {
        err->code = CVB_OK;
        err->message[0] = '\0';
    }
}

/// Runs `body`, translating every C++ exception into an error code with its message.
template <typename F>
int guarded(cvb_error *err, const char *what, F &&body) {
    clear(err);
    try {
        return body();
    } catch (const cv::Exception &e) {
        return fail(err, CVB_ERR_OPENCV, "%s: OpenCV error: %s", what, e.what());
    } catch (const std::bad_alloc &) {
        return fail(err, CVB_ERR_INTERNAL, "%s: out of memory", what);
    } catch (const std::exception &e) {
        return fail(err, CVB_ERR_INTERNAL, "%s: %s", what, e.what());
    } catch (...) {
        return fail(err, CVB_ERR_INTERNAL, "%s: unknown C++ exception", what);
    }
}

/// Wraps caller-owned grey pixels in a Mat header (no copy).
inline cv::Mat wrapGrey(const uint8_t *pixels, int width, int height) {
    return cv::Mat(height, width, CV_8UC1, const_cast<uint8_t *>(pixels));
}

} // namespace cvb
