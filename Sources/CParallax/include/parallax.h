/* parallax.h — the C interface of Parallax, stereo visual odometry and SLAM.
 *
 * One pipeline per stereo sequence: create it with the camera, feed it rectified 8-bit grey
 * stereo frames in order with px_process, read each frame's odometry pose, its covariance and its
 * map-corrected pose, and call px_finish at the end for the final corrected trajectory.
 *
 * Threading: the calls on one pipeline must not overlap (call them from one thread at a time);
 * different pipelines are independent. Loop closure runs on the pipeline's own background thread:
 * px_process never waits for a loop correction, and each frame gets the newest one solved.
 *
 * Errors: every function that can fail writes a NUL-terminated message, truncated to
 * error_size bytes, into error (when error is not NULL and error_size > 0) and returns NULL,
 * -1 or non-zero as documented. Bad arguments (NULL pointers, wrong sizes) are errors, never
 * a crash.
 *
 * Link with `pkg-config --cflags --libs parallax`.
 */
#ifndef PARALLAX_H
#define PARALLAX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header: 1.0.0. A change of major version breaks the interface. */
#define PARALLAX_VERSION_MAJOR 1
#define PARALLAX_VERSION_MINOR 0
#define PARALLAX_VERSION_PATCH 0

typedef struct px_pipeline px_pipeline; /* opaque */

/* A rectified stereo camera: focal lengths and principal point in pixels, baseline in metres
   (positive: the right camera is at +baseline along the left camera's x axis), image size. */
typedef struct {
    double fx, fy, cx, cy, baseline;
    int width, height;
} px_camera;

/* Frame states. */
enum {
    PX_STATE_INITIALISED = 0, /* the first frame: the world frame is its camera frame */
    PX_STATE_TRACKING = 1,    /* tracked against the current keyframe */
    PX_STATE_KEYFRAME = 2,    /* tracked, and became a keyframe */
    PX_STATE_LOST = 3         /* too few matches: the pose comes from the motion model */
};

typedef struct {
    int64_t frame;             /* index of the frame, from 0 */
    double timestamp;          /* as given */
    int state;                 /* 0 initialised, 1 tracking, 2 keyframe, 3 lost (PX_STATE_*) */
    double pose[16];           /* odometry T_world_camera, row-major 4x4 */
    double corrected_pose[16]; /* T_map_camera: pose corrected by every loop solved so far */
    double covariance[36];     /* 6x6 of pose, row-major, (rho, phi) order, right perturbation */
    int loops;                 /* loops accepted so far */
} px_frame;

/* The library's version, "MAJOR.MINOR.PATCH" (static storage; never NULL). */
const char *px_version(void);

/* config_yaml: path of a YAML configuration (the keys of `parallax run --config`), or NULL for
   the defaults. On failure: NULL and a message in error (NUL-terminated, truncated to
   error_size). Release with px_destroy. */
px_pipeline *px_create(const px_camera *camera, const char *config_yaml, char *error, size_t error_size);

/* 8-bit grey rectified images of camera->width x camera->height; stride in bytes (at least the
   width). The images are copied: the caller may reuse them when the call returns.
   Returns 0 on success, non-zero with a message otherwise. */
int px_process(px_pipeline *p, const uint8_t *left, const uint8_t *right, size_t stride,
               double timestamp, px_frame *out, char *error, size_t error_size);

/* Waits for pending corrections, solves the final one; poses[16*n] receives the corrected
   T_world_camera of frames 0..n-1 (n = frames processed, at most capacity), row-major.
   Returns n, or -1. After it, the pipeline takes no more frames (px_process fails). */
int64_t px_finish(px_pipeline *p, double *poses, int64_t capacity, char *error, size_t error_size);

/* Releases the pipeline (NULL is allowed). */
void px_destroy(px_pipeline *p);

#ifdef __cplusplus
}
#endif

#endif /* PARALLAX_H */
