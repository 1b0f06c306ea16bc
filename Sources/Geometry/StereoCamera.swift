/// A rectified stereo pair of pinhole cameras.
///
/// Camera frame: x right, y down, z forward (metres). Pixel (u, v): u right, v down.
/// The right camera sits at `+baseline` along the left camera's x axis, so a point at depth z
/// has disparity `δ = u_left − u_right = fx · b / z`.
public struct StereoCamera: Equatable, Sendable, Codable, CustomStringConvertible {
    public var fx, fy, cx, cy: Double
    /// Distance between the two optical centres, metres (> 0).
    public var baseline: Double
    /// Image size in pixels.
    public var width, height: Int

    public init(fx: Double, fy: Double, cx: Double, cy: Double, baseline: Double, width: Int, height: Int) {
        self.fx = fx; self.fy = fy; self.cx = cx; self.cy = cy
        self.baseline = baseline; self.width = width; self.height = height
    }

    /// Reasons a set of intrinsics cannot describe a camera.
    public enum ValidationError: Error, Equatable, CustomStringConvertible {
        case nonPositiveFocalLength(Double, Double)
        case nonPositiveBaseline(Double)
        case nonFinite(String)
        case nonPositiveSize(Int, Int)

        public var description: String {
            switch self {
            case let .nonPositiveFocalLength(fx, fy): "focal length must be positive (fx = \(fx), fy = \(fy))"
            case let .nonPositiveBaseline(b): "stereo baseline must be positive (got \(b) m)"
            case let .nonFinite(name): "\(name) is not a finite number"
            case let .nonPositiveSize(w, h): "image size must be positive (got \(w)×\(h))"
            }
        }
    }

    /// Throws when the intrinsics are not usable (non-finite, non-positive focal or baseline).
    public func validate() throws(ValidationError) {
        for (name, v) in [("fx", fx), ("fy", fy), ("cx", cx), ("cy", cy), ("baseline", baseline)] where !v.isFinite {
            throw .nonFinite(name)
        }
        guard fx > 0, fy > 0 else { throw .nonPositiveFocalLength(fx, fy) }
        guard baseline > 0 else { throw .nonPositiveBaseline(baseline) }
        guard width > 0, height > 0 else { throw .nonPositiveSize(width, height) }
    }

    /// `fx · baseline`, the disparity–depth constant.
    @inlinable public var focalBaseline: Double { fx * baseline }

    /// Depth of a disparity (pixels → metres).
    @inlinable public func depth(disparity d: Double) -> Double { focalBaseline / d }
    /// Disparity of a depth (metres → pixels).
    @inlinable public func disparity(depth z: Double) -> Double { focalBaseline / z }

    /// Projects a camera-frame point into the left image.
    @inlinable public func project(_ p: Vec3) -> SIMD2<Double> {
        SIMD2(fx * p.x / p.z + cx, fy * p.y / p.z + cy)
    }

    /// Projects a point and returns the 2×3 Jacobian ∂(u, v)/∂p as two rows.
    public func projectWithJacobian(_ p: Vec3) -> (uv: SIMD2<Double>, du: Vec3, dv: Vec3) {
        let iz = 1 / p.z
        let du = Vec3(fx * iz, 0, -fx * p.x * iz * iz)
        let dv = Vec3(0, fy * iz, -fy * p.y * iz * iz)
        return (project(p), du, dv)
    }

    /// Stereo projection `(u_left, v, disparity)` of a camera-frame point, with its 3×3 Jacobian.
    public func projectStereo(_ p: Vec3) -> (uvd: Vec3, jacobian: Mat3) {
        let iz = 1 / p.z
        let uvd = Vec3(fx * p.x * iz + cx, fy * p.y * iz + cy, focalBaseline * iz)
        let j = Mat3(rows: Vec3(fx * iz, 0, -fx * p.x * iz * iz),
                     Vec3(0, fy * iz, -fy * p.y * iz * iz),
                     Vec3(0, 0, -focalBaseline * iz * iz))
        return (uvd, j)
    }

    /// Back-projects a pixel at a known depth into the camera frame.
    @inlinable public func backProject(u: Double, v: Double, depth z: Double) -> Vec3 {
        Vec3((u - cx) * z / fx, (v - cy) * z / fy, z)
    }

    /// Back-projects a pixel with its disparity (triangulation) and returns the 3×3 Jacobian
    /// ∂p/∂(u, v, δ).
    public func backProject(u: Double, v: Double, disparity d: Double) -> (point: Vec3, jacobian: Mat3) {
        let z = focalBaseline / d
        let dz = -focalBaseline / (d * d)
        let p = backProject(u: u, v: v, depth: z)
        let j = Mat3(rows: Vec3(z / fx, 0, (u - cx) / fx * dz),
                     Vec3(0, z / fy, (v - cy) / fy * dz),
                     Vec3(0, 0, dz))
        return (p, j)
    }

    /// True when the pixel lies inside the image (with an optional margin).
    @inlinable public func contains(_ uv: SIMD2<Double>, margin: Double = 0) -> Bool {
        uv.x >= margin && uv.y >= margin && uv.x <= Double(width - 1) - margin && uv.y <= Double(height - 1) - margin
    }

    public var description: String {
        "StereoCamera(fx: \(fx), fy: \(fy), cx: \(cx), cy: \(cy), baseline: \(baseline) m, \(width)×\(height))"
    }
}

extension StereoCamera {
    /// A pixel with depth back-projected into the camera frame with its full 3×3 covariance
    /// (METHOD.md §3): the exact second moments of X = (u−cx)z/fx, Y = (v−cy)z/fy, Z = z for
    /// independent (u, v) ~ N(uv, Σ_uv) and z ~ N(depth, σ_z²), off-diagonal terms included.
    public func backProject(uv: SIMD2<Double>, pixelCovariance s: (uu: Double, uv: Double, vv: Double),
                            depth z: Double, depthVariance sz: Double) -> (point: Vec3, covariance: Mat3) {
        let du = uv.x - cx, dv = uv.y - cy
        let z2 = z * z
        let xx = (du * du * sz + z2 * s.uu + s.uu * sz) / (fx * fx)
        let yy = (dv * dv * sz + z2 * s.vv + s.vv * sz) / (fy * fy)
        let xy = (du * dv * sz + (z2 + sz) * s.uv) / (fx * fy)
        let xz = sz * du / fx, yz = sz * dv / fy
        let cov = Mat3(rows: Vec3(xx, xy, xz), Vec3(xy, yy, yz), Vec3(xz, yz, sz))
        return (backProject(u: uv.x, v: uv.y, depth: z), cov)
    }

    /// Depth variance of a disparity measurement: σ_z² = (f·b)² σ_δ² / δ⁴.
    @inlinable public func depthVariance(disparity d: Double, variance: Double) -> Double {
        let fb = focalBaseline
        return fb * fb * variance / (d * d * d * d)
    }
}
