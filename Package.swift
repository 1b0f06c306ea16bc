// swift-tools-version:6.2
//
// Parallax — stereo visual odometry and SLAM in Swift.
//
// Module graph (data flows one way, left to right; no module reaches back up):
//
//   CVBridge (C++ over OpenCV, plain C header) ─┐
//   CCholmod (SuiteSparse CHOLMOD, system lib) ─┼─► Geometry ─► Trajectories ─► Datasets ─┐
//                                               │                    └────► Evaluation ───┼─► Parallax (façade) ─► parallax CLI
//                                               └──────────────────────────► PoseGraph ───┘
//
// No unsafeFlags anywhere: the package can be used as a versioned dependency.
// OpenCV is linked module by module (core, imgproc, calib3d, features2d) instead of
// through pkg-config's `opencv4`, which pulls in 55 libraries and ~280 ms of process start-up.
import PackageDescription

/// The OpenCV modules the bridge uses, and nothing else. Images are decoded with libpng and
/// libjpeg directly: Debian's opencv_imgcodecs links GDAL (~135 libraries, ~100 ms at start-up);
/// 8-bit grey PNGs (the datasets') are inflated with libdeflate, about twice zlib's speed.
let nativeLibraries = ["opencv_core", "opencv_imgproc", "opencv_calib3d", "opencv_features2d", "png", "jpeg", "deflate"]

let package = Package(
    name: "Parallax",
    products: [
        .library(name: "Parallax", targets: ["Parallax"]),
        .library(name: "CVBridge", targets: ["CVBridge"]),
        // The C interface (`parallax.h`) as a shared library for C, C++ and Python clients.
        .library(name: "ParallaxC", type: .dynamic, targets: ["ParallaxC"]),
        .executable(name: "parallax", targets: ["parallax"]),
        .executable(name: "parallax-eval", targets: ["parallax-eval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        // C++17 over OpenCV behind a plain C header. `opencv4` is a symlink to the system's
        // OpenCV 4 include folder (Debian/Ubuntu: /usr/include/opencv4), so the header search
        // path stays package-relative and no unsafe flags are needed.
        .target(
            name: "CVBridge",
            exclude: ["opencv4"],
            cxxSettings: [
                .headerSearchPath("opencv4"),
                .define("NDEBUG", .when(configuration: .release)),
            ],
            linkerSettings: nativeLibraries.map { .linkedLibrary($0) }
        ),
        .systemLibrary(name: "CCholmod", path: "Sources/CCholmod"),
        .target(name: "Geometry"),
        .target(name: "Trajectories", dependencies: ["Geometry"]),
        // Images and disparity maps as values (and the bridge's error text): what the front end
        // and the dataset readers share, without the front end depending on file parsers.
        .target(name: "Imaging", dependencies: ["CVBridge"]),
        .target(name: "Datasets", dependencies: ["Geometry", "Trajectories", "Imaging", "CVBridge", "Yams"]),
        .target(name: "Frontend", dependencies: ["Geometry", "Imaging", "CVBridge"]),
        .target(name: "Odometry", dependencies: ["Geometry", "Imaging", "Frontend", "PoseGraph"]),
        .target(name: "PoseGraph", dependencies: ["Geometry", "CCholmod"]),
        .target(name: "LoopClosure", dependencies: ["Geometry", "Frontend", "Odometry", "PoseGraph"]),
        .target(name: "Pipeline", dependencies: ["Geometry", "Datasets", "Frontend", "Odometry", "PoseGraph", "LoopClosure"]),
        .target(name: "Evaluation", dependencies: ["Geometry", "Trajectories"]),
        // Batches of runs: the manifest and the results table (executors: `parallax batch`, Tools/batch/ray_batch.py).
        .target(name: "Batch", dependencies: ["Datasets", "Frontend", "Pipeline", "RunReport", "Yams"]),
        // The HTML report of a run folder (3D view of the map, plots over frames).
        .target(name: "RunReport", dependencies: ["Evaluation", "Geometry", "Trajectories"]),
        // `parallax.h` (the C interface's types and declarations) and the version string; the
        // functions are defined in Swift by ParallaxC.
        .target(name: "CParallax"),
        .target(name: "ParallaxC", dependencies: ["CParallax", "Pipeline", "Datasets", "Geometry", "Odometry"]),
        .target(name: "Synthetic", dependencies: ["Geometry", "Trajectories", "Datasets", "CVBridge"]),
        .target(name: "Parallax", dependencies: ["Geometry", "Trajectories", "Datasets", "Frontend", "Odometry", "PoseGraph", "LoopClosure", "Pipeline", "Evaluation", "RunReport", "Synthetic"]),
        .executableTarget(
            name: "parallax",
            dependencies: ["Parallax", "Batch", "EvaluationCommands", "Yams", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/parallax"
        ),
        // `parallax eval`'s verbs, shared by `parallax` and the OpenCV-free `parallax-eval`
        // (which starts in milliseconds; OpenCV's dependency chain costs ~0.1 s per process).
        .target(
            name: "EvaluationCommands",
            dependencies: ["Evaluation", "Trajectories", "Geometry", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/EvaluationCommands"
        ),
        .executableTarget(name: "parallax-eval", dependencies: ["EvaluationCommands"], path: "Tools/parallax-eval"),
        // Test-only helpers (shared-data lookup, temporary folders, seeded random numbers).
        .target(name: "TestSupport", dependencies: ["Geometry", "Imaging"], path: "Tests/TestSupport"),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "TestSupport"]),
        .testTarget(name: "TrajectoriesTests", dependencies: ["Trajectories", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CVBridge", "TestSupport"]),
        .testTarget(name: "FrontendTests", dependencies: ["Frontend", "Datasets", "Imaging", "TestSupport"]),
        .testTarget(name: "OdometryTests", dependencies: ["Odometry", "Pipeline", "Frontend", "Datasets", "Evaluation", "Synthetic", "TestSupport"]),
        .testTarget(name: "PoseGraphTests", dependencies: ["PoseGraph", "TestSupport"]),
        .testTarget(name: "LoopClosureTests", dependencies: ["LoopClosure", "Pipeline", "Frontend", "Geometry", "Odometry", "Synthetic", "Datasets", "Evaluation", "Trajectories", "TestSupport"]),
        .testTarget(name: "SyntheticTests", dependencies: ["Synthetic", "Frontend", "Datasets", "Trajectories", "TestSupport"]),
        .testTarget(name: "BridgeTests", dependencies: ["CVBridge", "CCholmod", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Geometry", "Trajectories", "TestSupport"]),
        // Mutated input files of every kind, run through the built executables.
        .testTarget(name: "FuzzTests", dependencies: ["Datasets", "TestSupport"]),
    ],
    cxxLanguageStandard: .cxx17
)
