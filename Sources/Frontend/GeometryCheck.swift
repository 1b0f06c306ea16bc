import Geometry

/// Checks front-end matches against known camera motion (ground-truth poses or a renderer's
/// truth): a point triangulated from its disparity at frame t−1, moved by the true relative pose,
/// must land where it was tracked at frame t and have the disparity measured there.
///
/// Collects the errors and their normalised squares (NEES) per term, which is what the
/// uncertainty calibration (METHOD.md §2) needs.
public struct GeometryCheck: Sendable {
    /// Relative depth errors |z_t − z_pred| / z_pred of tracks with stereo in both frames.
    public private(set) var relativeDepthErrors: [Double] = []
    /// Reprojection errors ‖uv_t − π(p_pred)‖, pixels.
    public private(set) var reprojectionErrors: [Double] = []
    /// Normalised squared disparity errors (δ_t − δ_pred)² / (σ_t² + J² σ_{t−1}²).
    public private(set) var disparityNEES: [Double] = []
    /// Normalised squared 2D errors eᵀ Σ⁻¹ e / 2 with Σ = Σ_uv(t) + propagated Σ of the prediction
    /// (divided by 2, the dimension, so that a calibrated model averages 1).
    public private(set) var flowNEES: [Double] = []

    private var previous: [Int64: Feature] = [:]
    private let camera: StereoCamera
    /// Points further than this are left out (their depth is too uncertain to check), metres.
    public var maxDepth: Double

    public init(camera: StereoCamera, maxDepth: Double = 40) {
        self.camera = camera
        self.maxDepth = maxDepth
    }

    /// Adds frame t. `relativeMotion` is T_{t}⁻¹ T_{t−1} (maps points of frame t−1's camera into
    /// frame t's camera); pass nil for the first frame.
    public mutating func add(features: [Feature], relativeMotion: SE3?) {
        if let motion = relativeMotion {
            for f in features {
                guard let prev = previous[f.id], let pu = f.previousUV, let d0 = prev.disparity, let v0 = prev.disparityVariance,
                      d0 > 0.5 else { continue }
                // The track's previous position is the one the front end matched from.
                let z0 = camera.depth(disparity: d0)
                guard z0 < maxDepth else { continue }
                let (p0, j0) = camera.backProject(u: pu.x, v: pu.y, disparity: d0)
                let q = motion * p0
                guard q.z > 0.1 else { continue }
                let (pred, jp) = camera.projectStereo(q)
                // Covariance of the prediction: previous (u, v, δ) through back-projection, motion, projection.
                let jFull = jp * motion.rotation.matrix * j0
                let s0 = Mat3(rows: Vec3(prev.covariance.uu, prev.covariance.uv, 0),
                              Vec3(prev.covariance.uv, prev.covariance.vv, 0), Vec3(0, 0, v0))
                let sPred = jFull * s0 * jFull.transposed
                let e = f.uv - SIMD2(pred.x, pred.y)
                reprojectionErrors.append((e * e).sum().squareRoot())
                let suu = f.covariance.uu + sPred[0, 0], suv = f.covariance.uv + sPred[0, 1], svv = f.covariance.vv + sPred[1, 1]
                if let n = GeometryCheck.neesPerDimension(e, (suu, suv, svv)) { flowNEES.append(n) }
                if let d1 = f.disparity, let v1 = f.disparityVariance {
                    let z1 = camera.depth(disparity: d1)
                    relativeDepthErrors.append(abs(z1 - q.z) / q.z)
                    let ed = d1 - pred.z
                    disparityNEES.append(ed * ed / (v1 + sPred[2, 2]))
                }
            }
        }
        previous = Dictionary(features.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// eᵀ Σ⁻¹ e / 2 for a 2D error and its covariance (σ_uu, σ_uv, σ_vv); nil when Σ is singular.
    static func neesPerDimension(_ e: SIMD2<Double>, _ c: (uu: Double, uv: Double, vv: Double)) -> Double? {
        let det = c.uu * c.vv - c.uv * c.uv
        guard det > 0 else { return nil }
        return (c.vv * e.x * e.x - 2 * c.uv * e.x * e.y + c.uu * e.y * e.y) / det / 2
    }

    /// Median of a list (nil when empty).
    public static func median(_ x: [Double]) -> Double? {
        guard !x.isEmpty else { return nil }
        let s = x.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    /// Mean of a list after dropping the largest `trim` fraction (outlier tracks), nil when empty.
    public static func trimmedMean(_ x: [Double], trim: Double = 0.05) -> Double? {
        guard !x.isEmpty else { return nil }
        let s = x.sorted()
        let keep = max(1, Int(Double(s.count) * (1 - trim)))
        return s.prefix(keep).reduce(0, +) / Double(keep)
    }
}
