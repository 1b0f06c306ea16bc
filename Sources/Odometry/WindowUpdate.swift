import Dispatch
import Frontend
import Geometry

/// The window's work for a new keyframe, as a value: the keyframe joins the window (its extra
/// solves against the older keyframes and the pose graph), then the bundle adjustment when
/// configured. A pure function of its inputs, so it can run on another core while the next
/// frame's front end runs: the odometry waits for it before it touches the window or the keyframe
/// again, or moves the motion model (whose velocity, all the front end's predictions use, the
/// update leaves as it is), so the trajectory is the same as if it had run in line.
struct WindowUpdate: Sendable {
    /// The window with the new keyframe, optimised.
    var window: KeyframeWindow
    /// Refined world positions of the new keyframe's tracked points that the adjustment refined and
    /// that still fit its observation (empty without the adjustment).
    var refined: [Int64: Vec3]

    /// The new keyframe's optimised pose (the window's newest; nil only for an empty window).
    var pose: SE3? { window.keyframes.last?.pose }

    /// Adds `new` (solved against the newest window keyframe as `est`) to `window` and optimises;
    /// `offset` is the disparity offset applied now (the adjustment brings every keyframe to it).
    init(window: KeyframeWindow, adding new: KeyframeWindow.Keyframe, features: [Feature], solve est: PoseEstimate,
         solver: PoseSolver, offset: Double) {
        let config = solver.config
        var w = window
        w.add(new, features: features, relative: est.pose, relativeCovariance: est.covariance, solver: solver,
              minInliers: config.minInliers)
        refined = [:]
        if config.bundleAdjustment {
            var adjustment = BundleAdjustment()
            adjustment.huber = config.huberThreshold
            adjustment.maxIterations = config.bundleAdjustmentIterations
            // The adjustment starts from the pose window's optimum: iterations that lower the cost
            // by less than 0.1 % move nothing the trajectory shows (KITTI 06, KITTI 01 and the
            // rendered loop give the same ATE within 0.5 mm as at 1e-6) and cost a third of its time.
            adjustment.relativeTolerance = 1e-3
            refined = w.bundleAdjust(camera: solver.camera, adjustment: adjustment, gate: config.inlierChiSquare, offset: offset,
                                     allPoints: config.bundleAdjustmentAllPoints)
        }
        self.window = w
    }
}

/// A `WindowUpdate` computing on a background queue until `wait()` returns it.
final class PendingWindowUpdate: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once on the background queue before `done` is signalled; read after waiting on it.
    private var value: WindowUpdate?

    init(_ work: @escaping @Sendable () -> WindowUpdate) {
        DispatchQueue.global(qos: .userInitiated).async {
            self.value = work()
            self.done.signal()
        }
    }

    /// Blocks until the update is computed; returns it (once).
    func wait() -> WindowUpdate? {
        done.wait()
        defer { value = nil }
        return value
    }
}
