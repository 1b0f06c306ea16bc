import Geometry

/// Procedural, analytic surface textures: value noise, bricks, blobs and rectangular tiles,
/// evaluated from a surface's 2D coordinates (metres) with a pixel footprint for anti-aliasing.
///
/// Every function is a pure function of (coordinates, footprint, seed), so the left and right
/// cameras see the same intensity at the same surface point (Lambertian, view-independent).

extension SplitMix64 {
    /// Uniform in [a, b).
    mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * Double(next() >> 11) * 0x1p-53
    }
}

/// Hash of two lattice coordinates and a seed to [0, 1): one multiply–xorshift round, enough
/// for textures (the lattice values only need to look independent).
@inline(__always)
func hash01(_ x: Int64, _ y: Int64, _ seed: UInt64) -> Double {
    var h = seed ^ (UInt64(bitPattern: x) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(bitPattern: y) &* 0xC2B2_AE3D_27D4_EB4F)
    h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
    h ^= h >> 32
    return Double(h >> 11) * 0x1p-53
}

/// ⌊x⌋ without a libm call (the x86-64 baseline has no `roundsd`, so `rounded(.down)` calls
/// `floor` through the PLT, ~15 times per pixel). Exact for |x| < 2⁶³.
@inline(__always) func fastFloor(_ x: Double) -> Double {
    let t = Double(Int64(x))
    return t > x ? t - 1 : t
}

@inline(__always) func clamp01(_ x: Double) -> Double { min(max(x, 0), 1) }

/// Smoothly interpolated lattice value noise in [0, 1) with cell size `cell` (metres).
@inline(__always)
func valueNoise(_ u: Double, _ v: Double, cell: Double, seed: UInt64) -> Double {
    let inv = 1 / cell
    let x = u * inv, y = v * inv
    let fx = fastFloor(x), fy = fastFloor(y)
    let ix = Int64(fx), iy = Int64(fy)
    var tx = x - fx, ty = y - fy
    tx = tx * tx * (3 - 2 * tx); ty = ty * ty * (3 - 2 * ty)
    let a = hash01(ix, iy, seed), b = hash01(ix + 1, iy, seed)
    let c = hash01(ix, iy + 1, seed), d = hash01(ix + 1, iy + 1, seed)
    let top = a + (b - a) * tx, bottom = c + (d - c) * tx
    return top + (bottom - top) * ty
}

/// Weight of a detail of size `size` at footprint `fp`: 1 when the detail spans ≥ 4 pixels,
/// 0 when it spans ≤ 2 (so it fades out before it can alias).
@inline(__always) func detailWeight(_ size: Double, _ fp: Footprint) -> Double { clamp01(size * 0.5 * fp.inverse - 1) }

/// A pixel's footprint on a surface (metres) and its inverse (the texture code divides by it often).
struct Footprint {
    let size: Double
    let inverse: Double
    @inline(__always) init(_ size: Double) { self.size = max(size, 1e-9); inverse = 1 / self.size }
}

/// Zero-mean fractal noise: octaves of cells `cell`, `cell/4`, `cell/16`… each faded by footprint.
@inline(__always)
func fractalNoise(_ u: Double, _ v: Double, cell: Double, octaves: Int, fp: Footprint, seed: UInt64) -> Double {
    var sum = 0.0, amp = 1.0, c = cell
    for o in 0..<octaves {
        let w = detailWeight(c, fp)
        if w <= 0 { break }
        sum += (valueNoise(u, v, cell: c, seed: seed &+ UInt64(o) &* 7919) - 0.5) * amp * w
        amp *= 0.6; c *= 0.25
    }
    return sum
}

/// Fraction of the interval [x − fp/2, x + fp/2] covered by lines of width `width` repeating
/// with `period` (the box-filtered indicator of a periodic line pattern starting at 0).
@inline(__always)
func lineCoverage(_ x: Double, period: Double, width: Double, fp: Footprint) -> Double {
    if fp.size <= 1e-9 {
        let q = x * (1 / period)
        let f = q - fastFloor(q)
        return f * period < width ? 1 : 0
    }
    func integral(_ t: Double) -> Double {
        let k = fastFloor(t * (1 / period))
        return k * width + min(t - k * period, width)
    }
    return clamp01((integral(x + fp.size / 2) - integral(x - fp.size / 2)) * fp.inverse)
}

/// Fraction of the footprint interval around `x` inside [a, b].
@inline(__always)
func intervalCoverage(_ x: Double, _ a: Double, _ b: Double, fp: Footprint) -> Double {
    let h = fp.size / 2
    return clamp01((min(x + h, b) - max(x - h, a)) * fp.inverse)
}

/// The texture families a surface can carry.
public enum Material: Sendable, Equatable {
    /// Asphalt: multi-scale noise with dark blobs.
    case asphalt
    /// Brick façade with windows; parts of it are plain, weakly textured render.
    case facade
    /// Rectangular tiles/posters of random tone (strong corners) over noise.
    case tiles
    /// Low-contrast plaster (a deliberately weak region).
    case plaster
}

/// A material with its seed and base brightness.
public struct SurfaceTexture: Sendable, Equatable {
    public var material: Material
    public var seed: UInt64
    /// Mean brightness in [0, 1] (includes the surface's fixed shading).
    public var brightness: Double

    public init(material: Material, seed: UInt64, brightness: Double) {
        self.material = material; self.seed = seed; self.brightness = brightness
    }

    /// Intensity in [0, 1] at surface coordinates (u, v) metres, footprint `fp` metres per pixel.
    @inline(__always)
    public func intensity(_ u: Double, _ v: Double, fp size: Double) -> Double {
        let fp = Footprint(size)
        // Low-frequency contrast field: some regions are deliberately weak.
        let contrast = 0.15 + 0.85 * clamp01(valueNoise(u, v, cell: 9, seed: seed ^ 0xC0) * 1.6 - 0.2)
        var value: Double
        switch material {
        case .asphalt:
            value = 0.9 * fractalNoise(u, v, cell: 1.6, octaves: 3, fp: fp, seed: seed)
            value -= 0.35 * blob(u, v, cell: 1.1, fp: fp)
        case .facade:
            value = facade(u, v, fp: fp)
        case .tiles:
            value = 0.5 * fractalNoise(u, v, cell: 0.8, octaves: 2, fp: fp, seed: seed)
            value += tile(u, v, cell: 0.9, fp: fp)
        case .plaster:
            value = 0.25 * fractalNoise(u, v, cell: 1.2, octaves: 2, fp: fp, seed: seed)
        }
        return clamp01(brightness + value * contrast)
    }

    /// Random dark disks on a grid (one candidate per cell), box-filtered at the edge.
    @inline(__always)
    func blob(_ u: Double, _ v: Double, cell: Double, fp: Footprint) -> Double {
        let inv = 1 / cell
        let cx = fastFloor(u * inv), cy = fastFloor(v * inv)
        let ix = Int64(cx), iy = Int64(cy)
        let p = hash01(ix, iy, seed ^ 0xB1)
        guard p < 0.45 else { return 0 }
        let r = cell * (0.1 + 0.25 * hash01(ix, iy, seed ^ 0xB2))
        let ox = (cx + 0.5) * cell, oy = (cy + 0.5) * cell
        let d = ((u - ox) * (u - ox) + (v - oy) * (v - oy)).squareRoot()
        return clamp01((r - d) * fp.inverse + 0.5) * detailWeight(r, fp)
    }

    /// A random rectangle of random tone per grid cell, with sharp (box-filtered) corners.
    @inline(__always)
    func tile(_ u: Double, _ v: Double, cell: Double, fp: Footprint) -> Double {
        let inv = 1 / cell
        let cx = fastFloor(u * inv), cy = fastFloor(v * inv)
        let ix = Int64(cx), iy = Int64(cy)
        let x0 = cx * cell + cell * 0.4 * hash01(ix, iy, seed ^ 0x71)
        let x1 = (cx + 1) * cell - cell * 0.4 * hash01(ix, iy, seed ^ 0x72)
        let y0 = cy * cell + cell * 0.4 * hash01(ix, iy, seed ^ 0x73)
        let y1 = (cy + 1) * cell - cell * 0.4 * hash01(ix, iy, seed ^ 0x74)
        let tone = hash01(ix, iy, seed ^ 0x75) - 0.5
        let w = detailWeight(min(x1 - x0, y1 - y0), fp)
        return 0.8 * tone * intervalCoverage(u, x0, x1, fp: fp) * intervalCoverage(v, y0, y1, fp: fp) * w
    }

    /// Brick courses with per-brick tone, mortar lines and dark windows; every 10 m segment is
    /// either brick or plain render (repeated pattern vs weak texture).
    @inline(__always)
    func facade(_ u: Double, _ v: Double, fp: Footprint) -> Double {
        let segment = Int64(fastFloor(u * 0.1))
        let plain = hash01(segment, 0, seed ^ 0xF0) < 0.3
        var value = 0.3 * fractalNoise(u, v, cell: 1.0, octaves: 2, fp: fp, seed: seed)
        if !plain {
            let bw = 0.5, bh = 0.16, mortar = 0.025
            let row = fastFloor(v * (1 / bh))
            let shift = Int64(row) & 1 == 0 ? 0 : bw / 2
            let bx = fastFloor((u + shift) * (1 / bw))
            let tone = (hash01(Int64(bx), Int64(row), seed ^ 0xA1) - 0.5) * 0.35 * detailWeight(bh, fp)
            let m = max(lineCoverage(v, period: bh, width: mortar, fp: fp),
                        lineCoverage(u + shift, period: bw, width: mortar, fp: fp))
            value += tone * (1 - m) + 0.25 * m
        }
        // Windows: a 3 m × 3 m grid, 1.2 m × 1.5 m dark panes, most cells glazed.
        let wx = fastFloor(u * (1.0 / 3)), wy = fastFloor(v * (1.0 / 3))
        if hash01(Int64(wx), Int64(wy), seed ^ 0xD1) < 0.7 {
            let cover = intervalCoverage(u, wx * 3 + 0.9, wx * 3 + 2.1, fp: fp)
                * intervalCoverage(v, wy * 3 + 0.6, wy * 3 + 2.1, fp: fp)
            value = value * (1 - cover) + cover * (-0.35 + 0.15 * hash01(Int64(wx), Int64(wy), seed ^ 0xD2))
        }
        return value
    }
}
