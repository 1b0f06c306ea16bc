import Geometry

/// Checks front-end measurements against exact per-pixel truth (a renderer's depth and poses):
/// each term of the uncertainty model on its own, without the previous frame's errors mixed in.
///
/// - Disparity: δ against `f·b / z_true(u, v)` at the feature's sub-pixel position.
/// - Temporal match: the surface point seen at the track's previous position (exact depth there),
///   moved by the true motion, projects to the true current position; the tracked position's
///   error is normalised by the track's 2×2 covariance.
///
/// NEES values are per degree of freedom (a calibrated model averages 1 for both terms).
public struct TruthCheck: Sendable {
    /// (δ − δ_true)² / σ_δ².
    public private(set) var disparityNEES: [Double] = []
    /// eᵀ Σ_uv⁻¹ e / 2.
    public private(set) var flowNEES: [Double] = []
    /// |δ − δ_true|, pixels.
    public private(set) var disparityErrors: [Double] = []
    /// ‖uv − uv_true‖, pixels.
    public private(set) var flowErrors: [Double] = []
    private let camera: StereoCamera

    public init(camera: StereoCamera) { self.camera = camera }

    /// Adds a frame's features.
    /// - Parameters:
    ///   - depth: exact depth seen through a sub-pixel position of this frame's left image (nil: sky).
    ///   - previousDepth: the same for the previous frame (nil for the first frame).
    ///   - motion: `T_t⁻¹ T_{t−1}`, mapping the previous camera's points into this one.
    public mutating func add(features: [Feature], depth: (SIMD2<Double>) -> Double?,
                             previousDepth: ((SIMD2<Double>) -> Double?)?, motion: SE3?) {
        for f in features {
            if let d = f.disparity, let v = f.disparityVariance, v > 0, let z = depth(f.uv) {
                let e = d - camera.disparity(depth: z)
                disparityErrors.append(abs(e))
                disparityNEES.append(e * e / v)
            }
            guard let previousDepth, let motion, let pu = f.previousUV, let z0 = previousDepth(pu) else { continue }
            let q = motion * camera.backProject(u: pu.x, v: pu.y, depth: z0)
            guard q.z > 0.1 else { continue }
            let truth = camera.project(q)
            // Skip points hidden in this frame (something nearer covers the true position).
            guard let zt = depth(truth), abs(zt - q.z) < 1e-3 * q.z else { continue }
            let e = f.uv - truth
            guard let n = GeometryCheck.neesPerDimension(e, f.covariance) else { continue }
            flowErrors.append((e * e).sum().squareRoot())
            flowNEES.append(n)
        }
    }
}
