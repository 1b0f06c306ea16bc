#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Geometry

/// A rendered stereo pair with the left camera's depth.
public struct RenderedPair: Sendable {
    /// Left and right 8-bit images, row-major.
    public var left: [UInt8]
    public var right: [UInt8]
    /// Left-camera depth per pixel (metres along the optical axis) at the frame's exact pose;
    /// 0 where the ray hits the sky.
    public var depth: [Float]
}

/// How the simulated sensor degrades the ideal image. All effects are deterministic for a seed.
public struct SensorModel: Sendable, Equatable {
    /// Standard deviation of additive Gaussian noise, grey levels (0: none).
    public var noise: Double = 1.0
    /// Exposure: each frame's gain is drawn uniformly from [1 − c, 1 + c] (0: constant exposure).
    /// Both cameras of a pair share the gain, as in a synchronised rig.
    public var exposureChange: Double = 0
    /// Motion blur: the fraction of the frame interval the shutter is open (0: no blur). The
    /// exposure is centred on the frame's pose and integrates the motion to the neighbouring frame.
    public var shutter: Double = 0
    /// Sub-poses averaged for motion blur (made odd so that the centre one is the exact pose).
    public var blurSamples: Int = 5

    public init(noise: Double = 1.0, exposureChange: Double = 0, shutter: Double = 0, blurSamples: Int = 5) {
        self.noise = noise; self.exposureChange = exposureChange; self.shutter = shutter; self.blurSamples = blurSamples
    }

    /// A perfect sensor: no noise, no exposure change, no blur.
    public static let ideal = SensorModel(noise: 0)
}

/// A raw pointer handed to the worker threads; each thread writes disjoint rows.
private struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// Ray-casts rectified stereo pairs of a `World`.
public struct StereoRenderer: Sendable {
    public let world: World
    public let camera: StereoCamera
    /// Camera-frame ray directions (z = 1) per column and per row.
    let columnX: [Double]
    let rowY: [Double]

    public init(world: World, camera: StereoCamera) {
        self.world = world; self.camera = camera
        columnX = (0..<camera.width).map { (Double($0) - camera.cx) / camera.fx }
        rowY = (0..<camera.height).map { (Double($0) - camera.cy) / camera.fy }
    }

    /// Which camera of the pair.
    public enum Eye: Sendable { case left, right }

    /// Casts the ray through sub-pixel (u, v) of one camera of the pair at pose `T_world_left`.
    /// The returned depth is along that camera's optical axis; nil for the sky.
    public func cast(pose: SE3, eye: Eye, u: Double, v: Double) -> SurfaceHit? {
        let r = pose.rotation.matrix
        let origin = eye == .left ? pose.translation : pose * Vec3(camera.baseline, 0, 0)
        let d = r * Vec3((u - camera.cx) / camera.fx, (v - camera.cy) / camera.fy, 1)
        let visible = world.visibleBoxes(from: origin, forward: r.column(2))
        return withExtendedLifetime(visible) {
            world.cast(origin: origin, direction: d, pixelAngle: 1 / camera.fx, visible: visible.view)
        }
    }

    /// One camera pose of the exposure: axes, both eyes' centres and their visible boxes, as plain
    /// values and pointers for the ray loop (the `VisibleBoxes` lists that own the buffers are kept
    /// alive beside it).
    private struct RayView: @unchecked Sendable {
        var c0, c1, c2, left, right: Vec3
        var visibleLeft, visibleRight: VisibleBoxes.View
    }

    /// The view of `pose`, and the two box lists its pointers belong to.
    private func view(_ pose: SE3) -> (RayView, [VisibleBoxes]) {
        let r = pose.rotation.matrix
        let oL = pose.translation, oR = pose * Vec3(camera.baseline, 0, 0)
        let f = r.column(2)
        let l = world.visibleBoxes(from: oL, forward: f), rt = world.visibleBoxes(from: oR, forward: f)
        return (RayView(c0: r.column(0), c1: r.column(1), c2: f, left: oL, right: oR, visibleLeft: l.view, visibleRight: rt.view), [l, rt])
    }

    /// Renders the pair at pose `T_world_left`, using all cores (bands of rows).
    ///
    /// - Parameters:
    ///   - velocity: the motion over one frame interval, `log(T_prev⁻¹ · T)`, for motion blur.
    ///   - sensor: noise, exposure and blur; `gain` is this frame's exposure gain.
    ///   - noiseSeed: seeds this frame's noise (the same seed gives the same image).
    public func render(pose: SE3, velocity: Vec6 = .zero, sensor: SensorModel = .ideal,
                       gain: Double = 1, noiseSeed: UInt64 = 0) -> RenderedPair {
        let w = camera.width, h = camera.height, n = w * h
        var left = [UInt8](repeating: 0, count: n)
        var right = [UInt8](repeating: 0, count: n)
        var depth = [Float](repeating: 0, count: n)
        let blurred = sensor.shutter > 0 && sensor.blurSamples > 1
        let samples = blurred ? sensor.blurSamples | 1 : 1
        let views = (0..<samples).map { k -> (RayView, [VisibleBoxes]) in
            guard samples > 1 else { return view(pose) }
            let s = sensor.shutter * (Double(k) / Double(samples - 1) - 0.5)
            return view(pose * SE3.exp(velocity * s))
        }
        let rays = views.map(\.0), owners = views.flatMap(\.1)
        let centre = samples / 2
        let angle = 1 / camera.fx, world = self.world, xs = columnX, ys = rowY
        let scale = gain / Double(samples), sigma = sensor.noise
        withExtendedLifetime(owners) {
        rays.withUnsafeBufferPointer { rayBuffer in
        let rv = SharedBuffer(base: UnsafeMutablePointer(mutating: rayBuffer.baseAddress!))
        left.withUnsafeMutableBufferPointer { lb in
            right.withUnsafeMutableBufferPointer { rb in
                depth.withUnsafeMutableBufferPointer { db in
                    let lp = SharedBuffer(base: lb.baseAddress!), rp = SharedBuffer(base: rb.baseAddress!)
                    let dp = SharedBuffer(base: db.baseAddress!)
                    let bandRows = 8
                    let bands = (h + bandRows - 1) / bandRows
                    DispatchQueue.concurrentPerform(iterations: bands) { band in
                        for y in band * bandRows..<min(h, (band + 1) * bandRows) {
                            for x in 0..<w {
                                let i = y * w + x
                                var sumL = 0.0, sumR = 0.0
                                for k in 0..<samples {
                                    let v = rv.base[k]
                                    // Ray direction R·(x, y, 1); the same direction for both eyes.
                                    let d = v.c2 + ys[y] * v.c1 + xs[x] * v.c0
                                    if let hit = world.cast(origin: v.left, direction: d, pixelAngle: angle, visible: v.visibleLeft) {
                                        sumL += hit.intensity
                                        if k == centre { dp.base[i] = Float(hit.depth) }
                                    } else {
                                        sumL += world.sky(d)
                                    }
                                    sumR += world.cast(origin: v.right, direction: d, pixelAngle: angle, visible: v.visibleRight)?.intensity
                                        ?? world.sky(d)
                                }
                                var l = sumL * scale * 255, r = sumR * scale * 255
                                if sigma > 0 {
                                    l += sigma * gaussian(UInt64(i), 0, noiseSeed)
                                    r += sigma * gaussian(UInt64(i), 1, noiseSeed)
                                }
                                lp.base[i] = quantize(l)
                                rp.base[i] = quantize(r)
                            }
                        }
                    }
                }
            }
        }
        }
        }
        return RenderedPair(left: left, right: right, depth: depth)
    }
}

/// Grey level → 8 bits, rounded and clamped.
@inline(__always) func quantize(_ v: Double) -> UInt8 { UInt8(truncatingIfNeeded: Int(min(max(v, 0), 255) + 0.5)) }

/// An approximately standard normal deviate from a hash of (pixel, eye, seed): the sum of four
/// uniform 16-bit values (Irwin–Hall), scaled to unit variance. Cheaper than Box–Muller and
/// indistinguishable from it for sensor noise of a grey level or two.
@inline(__always) func gaussian(_ pixel: UInt64, _ eye: UInt64, _ seed: UInt64) -> Double {
    var h = seed ^ (pixel &* 0x9E37_79B9_7F4A_7C15) ^ (eye &* 0xC2B2_AE3D_27D4_EB4F)
    h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 29)) &* 0x94D0_49BB_1331_11EB
    h ^= h >> 32
    let sum = Double(h & 0xFFFF) + Double((h >> 16) & 0xFFFF) + Double((h >> 32) & 0xFFFF) + Double(h >> 48)
    // Four uniforms on [0, 65535]: mean 2·65535, variance 4·(65536² − 1)/12.
    return (sum - 131_070) * (3.0 / 65536 / 65536).squareRoot()
}
