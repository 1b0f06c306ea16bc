import Geometry

/// An axis-aligned solid box.
public struct WorldBox: Sendable, Equatable {
    public var lo: Vec3
    public var hi: Vec3
    public var texture: SurfaceTexture
    public init(lo: Vec3, hi: Vec3, texture: SurfaceTexture) { self.lo = lo; self.hi = hi; self.texture = texture }
}

/// What a ray hit: the ray parameter (equal to the camera-frame depth, since camera rays are
/// cast with a unit z component), the world point and the surface intensity.
public struct SurfaceHit: Sendable, Equatable {
    /// Depth along the camera's optical axis, metres.
    public var depth: Double
    /// The hit point in world coordinates.
    public var point: Vec3
    /// Intensity in [0, 1].
    public var intensity: Double
}

/// Boxes in front of a camera, nearest first, in flat buffers for the ray loop.
/// `view` hands the loop plain pointers (no reference counting per ray); keep the list alive
/// while they are used.
public final class VisibleBoxes: @unchecked Sendable {
    let count: Int
    private let distance: UnsafeMutablePointer<Double>
    private let lo: UnsafeMutablePointer<Vec3>
    private let hi: UnsafeMutablePointer<Vec3>
    private let index: UnsafeMutablePointer<Int>

    init(_ entries: [(distance: Double, lo: Vec3, hi: Vec3, index: Int)]) {
        count = entries.count
        distance = .allocate(capacity: max(count, 1)); lo = .allocate(capacity: max(count, 1))
        hi = .allocate(capacity: max(count, 1)); index = .allocate(capacity: max(count, 1))
        for (k, e) in entries.enumerated() { distance[k] = e.distance; lo[k] = e.lo; hi[k] = e.hi; index[k] = e.index }
    }

    deinit { distance.deallocate(); lo.deallocate(); hi.deallocate(); index.deallocate() }

    /// Pointers into the list, valid while it lives.
    var view: View { View(count: count, distance: distance, lo: lo, hi: hi, index: index) }

    /// The list's buffers as plain pointers.
    struct View: @unchecked Sendable {
        let count: Int
        let distance: UnsafePointer<Double>
        let lo: UnsafePointer<Vec3>
        let hi: UnsafePointer<Vec3>
        let index: UnsafePointer<Int>

        init(count: Int, distance: UnsafeMutablePointer<Double>, lo: UnsafeMutablePointer<Vec3>,
             hi: UnsafeMutablePointer<Vec3>, index: UnsafeMutablePointer<Int>) {
            self.count = count; self.distance = UnsafePointer(distance); self.lo = UnsafePointer(lo)
            self.hi = UnsafePointer(hi); self.index = UnsafePointer(index)
        }
    }
}

/// A world of analytic primitives in world coordinates (y down, as the camera's start pose):
/// a ground plane, an enclosure of four vertical walls (open to the sky unless it has a ceiling)
/// and solid axis-aligned boxes. Everything is Lambertian and procedurally textured.
public struct World: Sendable, Equatable {
    /// Height of the ground plane (y grows downwards).
    public var groundY: Double
    /// Ceiling height (y), or nil for an open sky.
    public var ceilingY: Double?
    /// Enclosure walls: x ∈ [xMin, xMax], z ∈ [zMin, zMax], from the ground up to `wallTopY`.
    public var xMin, xMax, zMin, zMax, wallTopY: Double
    public var boxes: [WorldBox]
    /// Textures: ground, ceiling, walls x = xMin, x = xMax, z = zMin, z = zMax.
    public var ground, ceiling, wallXMin, wallXMax, wallZMin, wallZMax: SurfaceTexture

    public init(groundY: Double, ceilingY: Double?, xMin: Double, xMax: Double, zMin: Double, zMax: Double,
                wallTopY: Double, boxes: [WorldBox], ground: SurfaceTexture, ceiling: SurfaceTexture,
                wallXMin: SurfaceTexture, wallXMax: SurfaceTexture, wallZMin: SurfaceTexture, wallZMax: SurfaceTexture) {
        self.groundY = groundY; self.ceilingY = ceilingY
        self.xMin = xMin; self.xMax = xMax; self.zMin = zMin; self.zMax = zMax; self.wallTopY = wallTopY
        self.boxes = boxes; self.ground = ground; self.ceiling = ceiling
        self.wallXMin = wallXMin; self.wallXMax = wallXMax; self.wallZMin = wallZMin; self.wallZMax = wallZMax
    }

    /// Fixed Lambertian shading of a face by its axis (0 x, 1 y, 2 z) and sign of the normal.
    @inline(__always) static func shade(axis: Int, positive: Bool) -> Double {
        switch (axis, positive) {
        case (0, true): 0.95
        case (0, false): 0.8
        case (1, _): 1.0
        case (2, true): 0.88
        default: 0.72
        }
    }

    /// The boxes a camera at `origin` looking along `forward` can see, nearest first: boxes
    /// wholly behind the camera are dropped. Casting against this list stops at the first box
    /// farther than the best hit so far.
    public func visibleBoxes(from origin: Vec3, forward: Vec3) -> VisibleBoxes {
        var list: [(distance: Double, lo: Vec3, hi: Vec3, index: Int)] = []
        for (i, b) in boxes.enumerated() {
            var ahead = false
            for c in 0..<8 {
                let corner = Vec3(c & 1 == 0 ? b.lo.x : b.hi.x, c & 2 == 0 ? b.lo.y : b.hi.y, c & 4 == 0 ? b.lo.z : b.hi.z)
                if (corner - origin).dot(forward) > 0 { ahead = true; break }
            }
            guard ahead else { continue }
            let gap = pointwiseMax(pointwiseMax(b.lo - origin, origin - b.hi), Vec3(repeating: 0))
            list.append((gap.norm, b.lo, b.hi, i))
        }
        list.sort { $0.distance < $1.distance }
        return VisibleBoxes(list)
    }

    /// Casts the ray `o + t·d` (t > 0) and returns the nearest surface, or nil for the sky.
    /// `pixelAngle` is the angular size of a pixel (1/f) for anti-aliasing; `visible` comes from
    /// `visibleBoxes(from: o, …).view`.
    @inline(__always)
    func cast(origin o: Vec3, direction d: Vec3, pixelAngle: Double, visible: VisibleBoxes.View) -> SurfaceHit? {
        var best = Double.infinity
        var kind = -1   // 0 ground, 1 ceiling, 2..5 walls, 6+ boxes
        var boxAxis = 0, boxPositive = false
        if d.y > 0 {
            let t = (groundY - o.y) / d.y
            if t > 0 { best = t; kind = 0 }
        } else if d.y < 0, let c = ceilingY {
            let t = (c - o.y) / d.y
            if t > 0 && t < best { best = t; kind = 1 }
        }
        // Walls (seen from inside the enclosure).
        if d.x != 0 {
            let t = d.x < 0 ? (xMin - o.x) / d.x : (xMax - o.x) / d.x
            if t > 0 && t < best && o.y + t * d.y >= wallTopY { best = t; kind = d.x < 0 ? 2 : 3 }
        }
        if d.z != 0 {
            let t = d.z < 0 ? (zMin - o.z) / d.z : (zMax - o.z) / d.z
            if t > 0 && t < best && o.y + t * d.y >= wallTopY { best = t; kind = d.z < 0 ? 4 : 5 }
        }
        let inv = 1 / d
        let length = d.norm
        for k in 0..<visible.count {
            if visible.distance[k] >= best * length { break }
            let t0 = (visible.lo[k] - o) * inv, t1 = (visible.hi[k] - o) * inv
            let tn = pointwiseMin(t0, t1), tf = pointwiseMax(t0, t1)
            let tEnter = max(tn.x, max(tn.y, tn.z))
            let tExit = min(tf.x, min(tf.y, tf.z))
            guard tEnter <= tExit, tEnter > 0, tEnter < best else { continue }
            best = tEnter; kind = 6 + visible.index[k]
            boxAxis = tEnter == tn.x ? 0 : (tEnter == tn.y ? 1 : 2)
            boxPositive = d[boxAxis] < 0
        }
        guard kind >= 0 else { return nil }
        let p = o + best * d
        let texture: SurfaceTexture
        let axis: Int, positive: Bool
        switch kind {
        case 0: texture = ground; axis = 1; positive = false
        case 1: texture = ceiling; axis = 1; positive = true
        case 2: texture = wallXMin; axis = 0; positive = true
        case 3: texture = wallXMax; axis = 0; positive = false
        case 4: texture = wallZMin; axis = 2; positive = true
        case 5: texture = wallZMax; axis = 2; positive = false
        default: texture = boxes[kind - 6].texture; axis = boxAxis; positive = boxPositive
        }
        // Footprint of a pixel on the surface (metres), for the texture's anti-aliasing.
        let cosine = max(abs(d[axis]) / length, 0.25)
        let fp = best * length * pixelAngle / cosine
        let (u, v): (Double, Double) = axis == 0 ? (p.z, p.y) : (axis == 1 ? (p.x, p.z) : (p.x, p.y))
        let value = texture.intensity(u, v, fp: fp) * World.shade(axis: axis, positive: positive)
        return SurfaceHit(depth: best, point: p, intensity: value)
    }

    /// Sky brightness for a ray that hits nothing (a smooth, textureless gradient).
    @inline(__always) func sky(_ d: Vec3) -> Double {
        let up = -d.y / (d * d).sum().squareRoot()
        return 0.78 + 0.15 * max(0, min(up, 1))
    }
}
