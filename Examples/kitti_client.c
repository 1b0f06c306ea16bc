/* A minimal Parallax client in C: runs the pipeline over a KITTI-layout sequence folder
 * (calib.txt with P0/P1 rows, image_0/ and image_1/ with NNNNNN.png 8-bit grey images) and
 * prints the final corrected trajectory in KITTI format (12 numbers per frame) on stdout, with
 * per-frame progress and live corrections on stderr.
 *
 * Build against an installed Parallax (Tools/install --prefix DIR):
 *   export PKG_CONFIG_PATH=DIR/lib/pkgconfig
 *   cc -O2 kitti_client.c $(pkg-config --cflags --libs parallax libpng) -o kitti_client
 * Run:
 *   ./kitti_client SEQUENCE_FOLDER [CONFIG.yaml] > trajectory.txt
 */
#include <parallax.h>
#include <png.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads an 8-bit grey PNG into a newly allocated buffer; returns NULL on failure. */
static unsigned char *read_grey_png(const char *path, int *width, int *height) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, path)) return NULL;
    image.format = PNG_FORMAT_GRAY;
    unsigned char *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels || !png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        free(pixels);
        png_image_free(&image);
        return NULL;
    }
    *width = (int)image.width;
    *height = (int)image.height;
    return pixels;
}

/* Reads the 12 numbers of the calib.txt row named `name` ("P0:" or "P1:"). */
static int read_projection(const char *path, const char *name, double p[12]) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[1024];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, name, strlen(name)) != 0) continue;
        char *s = line + strlen(name);
        found = 1;
        for (int i = 0; i < 12; ++i) {
            char *end;
            p[i] = strtod(s, &end);
            if (end == s) { found = 0; break; }
            s = end;
        }
    }
    fclose(f);
    return found;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s SEQUENCE_FOLDER [CONFIG.yaml]\n", argv[0]);
        return 2;
    }
    const char *folder = argv[1];
    char path[4096], error[512];
    double p0[12], p1[12];
    snprintf(path, sizeof path, "%s/calib.txt", folder);
    if (!read_projection(path, "P0:", p0) || !read_projection(path, "P1:", p1)) {
        fprintf(stderr, "%s: no P0/P1 rows\n", path);
        return 1;
    }
    int width, height;
    snprintf(path, sizeof path, "%s/image_0/%06d.png", folder, 0);
    unsigned char *first = read_grey_png(path, &width, &height);
    if (!first) { fprintf(stderr, "%s: cannot read\n", path); return 1; }
    free(first);

    /* P_k = K [I | t_k]: the baseline is the x offset between the two cameras. */
    px_camera camera = { p0[0], p0[5], p0[2], p0[6], (p0[3] - p1[3]) / p1[0], width, height };
    px_pipeline *pipeline = px_create(&camera, argc == 3 ? argv[2] : NULL, error, sizeof error);
    if (!pipeline) { fprintf(stderr, "px_create: %s\n", error); return 1; }
    fprintf(stderr, "parallax %s, camera fx %.3f baseline %.4f m, %dx%d\n", px_version(), camera.fx, camera.baseline, width, height);

    int64_t frames = 0;
    for (;; ++frames) {
        int w, h, w2, h2;
        snprintf(path, sizeof path, "%s/image_0/%06lld.png", folder, (long long)frames);
        unsigned char *left = read_grey_png(path, &w, &h);
        if (!left) break;   /* the end of the sequence */
        snprintf(path, sizeof path, "%s/image_1/%06lld.png", folder, (long long)frames);
        unsigned char *right = read_grey_png(path, &w2, &h2);
        if (!right || w != width || h != height || w2 != width || h2 != height) {
            fprintf(stderr, "%s: missing or of another size\n", path);
            free(left); free(right); px_destroy(pipeline);
            return 1;
        }
        px_frame frame;
        int rc = px_process(pipeline, left, right, (size_t)width, 0.1 * (double)frames, &frame, error, sizeof error);
        free(left); free(right);
        if (rc != 0) { fprintf(stderr, "px_process: %s\n", error); px_destroy(pipeline); return 1; }
        fprintf(stderr, "frame %lld state %d x %.3f z %.3f corrected x %.3f z %.3f loops %d\n", (long long)frame.frame,
                frame.state, frame.pose[3], frame.pose[11], frame.corrected_pose[3], frame.corrected_pose[11], frame.loops);
    }
    if (frames == 0) { fprintf(stderr, "%s/image_0: no frames\n", folder); px_destroy(pipeline); return 1; }

    double *poses = malloc(sizeof(double) * 16 * (size_t)frames);
    int64_t n = poses ? px_finish(pipeline, poses, frames, error, sizeof error) : -1;
    if (n < 0) { fprintf(stderr, "px_finish: %s\n", poses ? error : "out of memory"); free(poses); px_destroy(pipeline); return 1; }
    for (int64_t i = 0; i < n; ++i) {
        for (int j = 0; j < 12; ++j) printf(j ? " %.12e" : "%.12e", poses[16 * i + j]);
        printf("\n");
    }
    free(poses);
    px_destroy(pipeline);
    return 0;
}
