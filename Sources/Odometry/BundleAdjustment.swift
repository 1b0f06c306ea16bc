import Geometry
import PoseGraph

/// One stereo observation: keyframe `pose` sees `point` at pixel (u, v) with disparity δ, with
/// the 3×3 covariance of (u, v, δ) the front end calibrated (MAC-VO's metric covariance).
public struct StereoObservation: Sendable {
    public var pose: Int
    public var point: Int
    /// (u, v, δ), pixels.
    public var measurement: Vec3
    /// Information (inverse covariance) of `measurement`, px⁻².
    public var information: Mat3

    /// Nil when `covariance` is not invertible.
    public init?(pose: Int, point: Int, measurement: Vec3, covariance: Mat3) {
        guard let information = covariance.inverse else { return nil }
        self.pose = pose; self.point = point; self.measurement = measurement; self.information = information
    }
}

/// Structure and motion over a few keyframes: their poses `T_world_camera`, world points, and
/// every stereo observation of a point by a keyframe.
public struct BundleProblem: Sendable {
    public var camera: StereoCamera
    public var poses: [SE3]
    public var points: [Vec3]
    public var observations: [StereoObservation]
    /// Poses held at their values (the gauge): at least one.
    public var fixed: Set<Int>

    public init(camera: StereoCamera, poses: [SE3], points: [Vec3], observations: [StereoObservation], fixed: Set<Int>) {
        self.camera = camera; self.poses = poses; self.points = points; self.observations = observations; self.fixed = fixed
    }

    /// The residual π(T⁻¹p) − (u, v, δ) of an observation; nil when the point is not in front of
    /// the camera. The same values as `linearize`'s, without the Jacobians.
    public func residual(_ o: StereoObservation) -> Vec3? {
        cameraPoint(o).map { pc, _ in camera.projectStereo(pc).uvd - o.measurement }
    }

    /// The observed point in the observing keyframe's camera frame, and that keyframe's Rᵀ; nil
    /// when the point is not in front of the camera.
    private func cameraPoint(_ o: StereoObservation) -> (Vec3, Mat3)? {
        let t = poses[o.pose], rt = t.rotation.matrix.transposed
        let pc = rt * (points[o.point] - t.translation)
        return pc.z > 1e-6 ? (pc, rt) : nil
    }

    /// The residual π(T⁻¹p) − (u, v, δ) of an observation, with its Jacobians with respect to a
    /// right perturbation of the pose (3×6, ρ then φ: `T·Exp(ξ)`) and to the world point (3×3);
    /// nil when the point is not in front of the camera.
    public func linearize(_ o: StereoObservation) -> (residual: Vec3, pose: (Mat3, Mat3), point: Mat3)? {
        guard let (pc, rt) = cameraPoint(o) else { return nil }
        let (uvd, jp) = camera.projectStereo(pc)
        // p_c = Exp(−ξ) T⁻¹ p: ∂p_c/∂ρ = −I, ∂p_c/∂φ = [p_c]×.
        return (uvd - o.measurement, (jp * -1, jp * Mat3.skew(pc)), jp * rt)
    }
}

/// Levenberg–Marquardt on a `BundleProblem`: each residual weighted by its observation's
/// information and a Huber kernel on its Mahalanobis distance; the points eliminated by the
/// Schur complement, the reduced pose system solved by `SparseBlockSystem` (CHOLMOD, the pose
/// graph's solver), the points recovered by back-substitution.
public struct BundleAdjustment: Sendable {
    /// Huber threshold on √(rᵀ W r). Default 2.45 (as the pose solve's).
    public var huber = 2.45
    public var maxIterations = 10
    /// Stop when the cost falls by less than this fraction. Default 1e-6.
    public var relativeTolerance = 1e-6

    public init() {}

    public struct Report: Sendable {
        public var initialCost: Double
        public var finalCost: Double
        public var iterations: Int
    }

    /// The robust cost Σ ρ(rᵀ W r) at the problem's current values.
    public func cost(_ problem: BundleProblem) -> Double {
        problem.observations.reduce(0) { sum, o in
            guard let r = problem.residual(o) else { return sum }
            return sum + rho(r.dot(o.information * r))
        }
    }

    /// Optimises `problem` in place.
    public func optimize(_ problem: inout BundleProblem) throws(PoseGraphError) -> Report {
        guard !problem.fixed.isEmpty else { throw .invalidArgument("bundle adjustment needs at least one fixed pose") }
        let layout = try SchurLayout(problem)
        var current = cost(problem)
        let initial = current
        var lambda = 1e-4, iterations = 0
        for _ in 0..<maxIterations {
            iterations += 1
            let normal = NormalEquations(problem, layout: layout, weight: weight)
            var improved = false
            while lambda < 1e8 {
                let step = try layout.solve(normal, damping: lambda)
                var trial = problem
                layout.apply(step, to: &trial)
                let c = cost(trial)
                if c < current {
                    let decrease = (current - c) / max(current, 1e-300)
                    problem = trial; current = c; lambda = max(lambda / 10, 1e-9); improved = true
                    if decrease < relativeTolerance { return Report(initialCost: initial, finalCost: current, iterations: iterations) }
                    break
                }
                lambda *= 10
            }
            if !improved { break }
        }
        return Report(initialCost: initial, finalCost: current, iterations: iterations)
    }

    /// One damped Gauss–Newton step from the problem's current values, by the Schur complement:
    /// the increment of every pose (right perturbation, zero for fixed poses) and of every point.
    public func step(_ problem: BundleProblem, damping: Double) throws(PoseGraphError) -> (poses: [Vec6], points: [Vec3]) {
        let layout = try SchurLayout(problem)
        let s = try layout.solve(NormalEquations(problem, layout: layout, weight: weight), damping: damping)
        return (s.poses, s.points)
    }

    func rho(_ s2: Double) -> Double {
        let s = s2.squareRoot()
        return s <= huber ? s2 : 2 * huber * s - huber * huber
    }

    /// IRLS weight of a squared Mahalanobis distance under the Huber kernel.
    func weight(_ s2: Double) -> Double {
        let s = s2.squareRoot()
        return s <= huber ? 1 : huber / s
    }
}
