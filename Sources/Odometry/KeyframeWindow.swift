import Frontend
import Geometry
import PoseGraph

/// The sliding window over the last keyframes: each new keyframe is solved, with the
/// same covariance-weighted residuals as the frame-to-keyframe solve, against every older window
/// keyframe whose points it still tracks; the relative poses and their 6×6 covariances form a small
/// pose graph (oldest keyframe fixed) that the `PoseGraph` module's Levenberg–Marquardt solves.
/// The new keyframe takes the optimised pose.
struct KeyframeWindow {
    /// A keyframe of the window: its pose, its selected stereo points, and the accumulated tracker
    /// covariance of each point since the keyframe.
    struct Keyframe {
        /// The keyframe's number (`FrameResult.reference`).
        var number: Int
        var pose: SE3
        var points: [Int64: StereoPoint]
        /// Every stereo point of the keyframe's frame (selected or not): its observations for the
        /// bundle adjustment.
        var observations: [Int64: StereoPoint] = [:]
        /// The disparity offset the keyframe's stereo measurements were made with, px.
        var offset = 0.0
        var accumulated = TrackCovariances()
    }

    /// A relative-pose measurement `T_i⁻¹ T_j` between window keyframes (by serial number).
    struct Edge {
        var i: Int, j: Int
        var measured: SE3
        var information: [Double]
    }

    /// Keyframes kept, oldest first.
    var keyframes: [Keyframe] = []
    /// Serial number of `keyframes[0]`.
    private var firstSerial = 0
    private var edges: [Edge] = []
    let size: Int

    init(size: Int) { self.size = size }

    /// Starts the window afresh at `keyframe` (first frame, tracking loss, rescue keyframe: no
    /// reliable link to the keyframes before).
    mutating func start(_ keyframe: Keyframe) { keyframes = [keyframe]; edges = []; firstSerial = 0 }

    /// Accumulates this frame's tracker covariance into the older window keyframes' tracked points
    /// (the newest is the odometry's current keyframe, which accumulates its own).
    mutating func track(_ features: [Feature]) {
        for k in keyframes.indices.dropLast() {
            for f in features where f.isTracked && keyframes[k].points[f.id] != nil { keyframes[k].accumulated.add(f) }
        }
    }

    /// Adds keyframe `new` (pose estimated against the newest window keyframe as `relative`, with
    /// covariance `relativeCovariance`), links it to older keyframes it still sees and optimises
    /// (the new keyframe's optimised pose is then `keyframes.last`).
    mutating func add(_ new: Keyframe, features: [Feature], relative: SE3, relativeCovariance: Mat6,
                      solver: PoseSolver, minInliers: Int) {
        let serial = firstSerial + keyframes.count
        if !keyframes.isEmpty, let info = relativeCovariance.inverse {
            edges.append(Edge(i: serial - 1, j: serial, measured: relative, information: info.elements))
            // Older keyframes whose points are still tracked: one more weighted solve each.
            for k in 0..<(keyframes.count - 1) {
                let old = keyframes[k]
                // The older keyframe's points brought to the offset the new keyframe's features
                // were measured with (the online estimate may have moved in between).
                let shift = new.offset - old.offset
                var matches: [PoseMatch] = []
                for f in features where f.isTracked {
                    guard let p = old.points[f.id]?.shifted(by: shift, camera: solver.camera,
                                                            minDisparity: solver.config.minDisparity) else { continue }
                    let acc = old.accumulated[f.id] ?? (0, 0, 0)
                    matches.append(PoseMatch(p, observedAs: f, uvCovariance: acc, camera: solver.camera,
                                             minDisparity: solver.config.minDisparity))
                }
                guard matches.count >= 2 * minInliers else { continue }
                let prediction = (old.pose.inverse * new.pose).orthonormalized
                guard let est = solver.solve(matches, prediction: prediction), est.inlierCount >= minInliers,
                      let info = est.covariance.inverse else { continue }
                edges.append(Edge(i: firstSerial + k, j: serial, measured: est.pose, information: info.elements))
            }
        }
        keyframes.append(new)
        if keyframes.count > size {
            keyframes.removeFirst()
            firstSerial += 1
            edges.removeAll { $0.i < firstSerial }
        }
        guard keyframes.count >= 3, edges.contains(where: { $0.j - $0.i > 1 }) else { return }
        // The window's pose graph: the oldest keyframe fixed (the gauge), everything else free.
        let factors: [any Factor<SE3>] = edges.map {
            BetweenFactor<SE3>($0.i - firstSerial, $0.j - firstSerial, measured: $0.measured, information: $0.information)
        }
        var options = OptimizerOptions()
        options.maxIterations = 10
        options.kernel = .huber(delta: 12.59.squareRoot())  // χ²(6) 95 %: a bad extra edge cannot pull the window
        let graph = FactorGraph(poses: keyframes.map(\.pose), fixed: [0], factors: factors)
        guard let optimizer = try? PoseGraphOptimizer(graph, options: options), (try? optimizer.optimize()) != nil else { return }
        for k in keyframes.indices { keyframes[k].pose = optimizer.graph.poses[k].orthonormalized }
    }
}
