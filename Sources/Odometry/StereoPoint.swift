import Frontend
import Geometry

/// A stereo measurement as keyframes store it (64 bytes against the 200 of its `StereoPoint`,
/// which is rebuilt from it and the camera when needed): track id, pixel, pixel covariance,
/// disparity and its variance.
public struct KeyframePoint: Sendable {
    public var id: Int64
    public var uv: SIMD2<Double>
    public var pixelCovariance: (uu: Double, uv: Double, vv: Double)
    public var disparity: Double
    public var disparityVariance: Double
}

/// A feature with stereo depth: its 3D position in the camera frame and full metric covariance.
public struct StereoPoint: Sendable {
    public var id: Int64
    public var uv: SIMD2<Double>
    public var pixelCovariance: (uu: Double, uv: Double, vv: Double)
    public var disparity: Double
    public var disparityVariance: Double
    /// Depth variance σ_z² = (f·b)² σ_δ² / δ⁴.
    public var depthVariance: Double
    /// Camera-frame position, metres.
    public var position: Vec3
    /// Full 3×3 covariance of `position` (METHOD.md §3), m².
    public var covariance: Mat3

    /// Triangulates a feature; nil without a stereo match or below `minDisparity`.
    public init?(_ f: Feature, camera: StereoCamera, minDisparity: Double) {
        guard let d = f.disparity, let vd = f.disparityVariance, d >= minDisparity, d.isFinite, vd.isFinite else { return nil }
        self.init(KeyframePoint(id: f.id, uv: f.uv, pixelCovariance: f.covariance, disparity: d, disparityVariance: vd), camera: camera)
    }

    /// Triangulates a stored measurement (the same numbers as from the feature it was made of).
    public init(_ k: KeyframePoint, camera: StereoCamera) {
        id = k.id
        uv = k.uv
        pixelCovariance = k.pixelCovariance
        disparity = k.disparity
        disparityVariance = k.disparityVariance
        depthVariance = camera.depthVariance(disparity: k.disparity, variance: k.disparityVariance)
        let z = camera.depth(disparity: k.disparity)
        (position, covariance) = camera.backProject(uv: k.uv, pixelCovariance: k.pixelCovariance, depth: z, depthVariance: depthVariance)
    }

    /// The measurement this point was triangulated from.
    public var measurement: KeyframePoint {
        KeyframePoint(id: id, uv: uv, pixelCovariance: pixelCovariance, disparity: disparity, disparityVariance: disparityVariance)
    }

    /// The stereo part of a `PoseMatch` when this point is the observation.
    public var observation: (disparity: Double, variance: Double, point: Vec3, covariance: Mat3) {
        (disparity, disparityVariance, position, covariance)
    }

    /// The point as it would have been measured with a disparity offset `shift` pixels larger: the
    /// measured disparity shifted and triangulated again; a position that was refined since moves
    /// along its own ray to the shifted disparity (its covariance is the shifted measurement's).
    /// Nil when the disparity would fall below `minDisparity`; the point itself for no shift.
    public func shifted(by shift: Double, camera: StereoCamera, minDisparity: Double) -> StereoPoint? {
        guard shift != 0 else { return self }
        var m = measurement
        m.disparity += shift
        let refined = position.z > 0 ? camera.disparity(depth: position.z) + shift : 0
        guard m.disparity >= minDisparity, refined >= minDisparity, refined > 0 else { return nil }
        var p = StereoPoint(m, camera: camera)
        p.position = position * (camera.depth(disparity: refined) / position.z)
        return p
    }

    /// Selection quality Q = σ_z² · tr Σ_uv (smaller is better, METHOD.md §4).
    public var quality: Double { depthVariance * (pixelCovariance.uu + pixelCovariance.vv) }
}

/// Covariance-aware keypoint selection (METHOD.md §4): local minima of Q in a 7×7 window, a
/// border, a disparity floor, median gates on σ_z² and tr Σ_uv, then the best points spread over
/// grid buckets. With `enabled` false it is a plain grid: the first points of each bucket.
public struct KeypointSelector: Sendable {
    public var count: Int
    public var border: Double
    public var medianFactor: Double
    public var enabled: Bool
    public var gridColumns = 16, gridRows = 6

    public init(count: Int, border: Double, medianFactor: Double, enabled: Bool) {
        self.count = count; self.border = border; self.medianFactor = medianFactor; self.enabled = enabled
    }

    public func select(_ points: [StereoPoint], width: Int, height: Int) -> [StereoPoint] {
        guard enabled else { return spread(points, width: width, height: height, rank: { _ in 0 }) }
        let w = Double(width), h = Double(height)
        var kept = points.filter { p in
            p.uv.x >= border && p.uv.y >= border && p.uv.x < w - border && p.uv.y < h - border && p.disparity >= 1
        }
        // Local minima of Q in a 7×7 window.
        var cells: [Int: [Int]] = [:]
        let cell = 7.0
        let cols = Int(w / cell) + 1
        func key(_ p: SIMD2<Double>) -> Int { Int(p.y / cell) * cols + Int(p.x / cell) }
        for (i, p) in kept.enumerated() { cells[key(p.uv), default: []].append(i) }
        kept = kept.enumerated().filter { i, p in
            let cx = Int(p.uv.x / cell), cy = Int(p.uv.y / cell)
            for y in (cy - 1)...(cy + 1) { for x in (cx - 1)...(cx + 1) {
                for j in cells[y * cols + x] ?? [] where j != i {
                    let q = kept[j]
                    if abs(q.uv.x - p.uv.x) <= 3, abs(q.uv.y - p.uv.y) <= 3, q.quality < p.quality { return false }
                }
            } }
            return true
        }.map(\.1)
        // Median gates.
        if let mz = median(kept.map(\.depthVariance)), let mt = median(kept.map { $0.pixelCovariance.uu + $0.pixelCovariance.vv }) {
            kept = kept.filter { $0.depthVariance <= medianFactor * mz && $0.pixelCovariance.uu + $0.pixelCovariance.vv <= medianFactor * mt }
        }
        return spread(kept, width: width, height: height, rank: \.quality)
    }

    /// Round-robin over grid buckets, best-ranked first in each, until `count` points.
    private func spread(_ points: [StereoPoint], width: Int, height: Int, rank: (StereoPoint) -> Double) -> [StereoPoint] {
        guard points.count > count else { return points }
        var buckets = [[StereoPoint]](repeating: [], count: gridColumns * gridRows)
        for p in points {
            let bx = min(gridColumns - 1, max(0, Int(p.uv.x / Double(width) * Double(gridColumns))))
            let by = min(gridRows - 1, max(0, Int(p.uv.y / Double(height) * Double(gridRows))))
            buckets[by * gridColumns + bx].append(p)
        }
        for i in buckets.indices { buckets[i].sort { rank($0) < rank($1) } }
        var out: [StereoPoint] = []
        out.reserveCapacity(count)
        var level = 0
        while out.count < count {
            var any = false
            for b in buckets where level < b.count {
                out.append(b[level]); any = true
                if out.count == count { break }
            }
            if !any { break }
            level += 1
        }
        return out
    }

    private func median(_ x: [Double]) -> Double? {
        guard !x.isEmpty else { return nil }
        let s = x.sorted()
        return s[s.count / 2]
    }
}
