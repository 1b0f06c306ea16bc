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
// OpenCV is linked module by module (core, imgproc, imgcodecs, calib3d, ...) instead of
// through pkg-config's `opencv4`, which pulls in 55 libraries and ~280 ms of process start-up.
import PackageDescription

/// The OpenCV modules the bridge uses, and nothing else.
let openCVModules = ["opencv_core", "opencv_imgproc", "opencv_imgcodecs", "opencv_calib3d", "opencv_features2d"]

let package = Package(
    name: "Parallax",
    products: [
        .library(name: "Parallax", targets: ["Parallax"]),
        .library(name: "CVBridge", targets: ["CVBridge"]),
        .executable(name: "parallax", targets: ["parallax"]),
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
            linkerSettings: openCVModules.map { .linkedLibrary($0) }
        ),
        .systemLibrary(name: "CCholmod", path: "Sources/CCholmod"),
        .target(name: "Geometry"),
        .target(name: "Trajectories", dependencies: ["Geometry"]),
        .target(name: "Datasets", dependencies: ["Geometry", "Trajectories", "CVBridge", "Yams"]),
        .target(name: "PoseGraph", dependencies: ["Geometry", "CCholmod"]),
        .target(name: "Parallax", dependencies: ["Geometry", "Trajectories", "Datasets", "PoseGraph"]),
        .executableTarget(
            name: "parallax",
            dependencies: ["Parallax", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/parallax"
        ),
        // Test-only helpers (shared-data lookup, temporary folders, seeded random numbers).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry", "TestSupport"]),
        .testTarget(name: "TrajectoriesTests", dependencies: ["Trajectories", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CVBridge", "TestSupport"]),
        .testTarget(name: "PoseGraphTests", dependencies: ["PoseGraph", "TestSupport"]),
        .testTarget(name: "BridgeTests", dependencies: ["CVBridge", "CCholmod", "TestSupport"]),
    ],
    cxxLanguageStandard: .cxx17
)
