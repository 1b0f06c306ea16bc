import Datasets
import Foundation
import Frontend
import Geometry
import TestSupport
import Testing

@Suite struct FrontendTests {
    let w = 320, h = 200
    var camera: StereoCamera { StereoCamera(fx: 300, fy: 300, cx: 160, cy: 100, baseline: 0.3, width: w, height: h) }
    let texture = Texture(width: 420, height: 300, seed: 7)

    @Test func recoversKnownDisparityAndFlow() throws {
        let fe = try Frontend(camera: camera)
        // A fronto-parallel plane: disparity 7.3 px everywhere (right image sees texture at x + 7.3).
        let d = 7.3
        let first = try fe.process(left: texture.image(w, h, dx: 0, dy: 0), right: texture.image(w, h, dx: d, dy: 0)).features
        #expect(first.count > 150)
        #expect(first.allSatisfy { !$0.isTracked })
        let stereo = first.compactMap(\.disparity)
        #expect(Double(stereo.count) > 0.8 * Double(first.count))
        let dispErr = stereo.map { abs($0 - d) }.sorted()
        #expect(dispErr[dispErr.count / 2] < 0.05, "median disparity error \(dispErr[dispErr.count / 2])")
        // Next frame: the image content moves by (−17.4, +9.3) px (needs the pyramid).
        let (fx, fy) = (17.4, -9.3)
        let second = try fe.process(left: texture.image(w, h, dx: fx, dy: fy), right: texture.image(w, h, dx: fx + d, dy: fy)).features
        let tracked = second.filter(\.isTracked)
        // Every feature whose moved position stays inside the image (minus the 12 px border) must survive.
        let stayInside = first.filter { f in
            let u = f.uv.x - fx, v = f.uv.y - fy
            return u >= 12 && v >= 12 && u <= Double(w - 13) && v <= Double(h - 13)
        }.count
        // (Points within a coarse window of the border can lose their coarse-level estimate.)
        #expect(Double(tracked.count) >= 0.9 * Double(stayInside), "\(tracked.count) tracked of \(stayInside) that stay in view")
        let flowErr = tracked.map { f -> Double in
            let p = f.previousUV!
            let e = (f.uv - p) - SIMD2(-fx, -fy)
            return (e * e).sum().squareRoot()
        }.sorted()
        #expect(flowErr[flowErr.count / 2] < 0.05, "median flow error \(flowErr[flowErr.count / 2])")
        for f in second {
            let c = FrontendConfig()
            #expect(f.covariance.uu.isFinite && f.covariance.uu >= c.varianceFloor && f.covariance.vv >= c.varianceFloor)
            #expect(f.covariance.uu * f.covariance.vv > f.covariance.uv * f.covariance.uv)
            if let v = f.disparityVariance { #expect(v.isFinite && v >= c.disparityVarianceFloor) }
        }
        // Track ids persist.
        #expect(Set(tracked.map(\.id)).isSubset(of: Set(first.map(\.id))))
    }

    @Test func blackAndSaturatedFramesGiveNoFeaturesAndNoNaN() throws {
        let fe = try Frontend(camera: camera)
        _ = try fe.process(left: texture.image(w, h, dx: 0, dy: 0), right: texture.image(w, h, dx: 5, dy: 0))
        for value: UInt8 in [0, 255] {
            let blank = GreyImage(width: w, height: h, value: value)
            let out = try fe.process(left: blank, right: blank).features
            #expect(out.isEmpty, "a uniform \(value) frame yields \(out.count) features")
        }
        // Recovery after the blank frames: detection starts afresh.
        let again = try fe.process(left: texture.image(w, h, dx: 0, dy: 0), right: texture.image(w, h, dx: 5, dy: 0)).features
        #expect(again.count > 150 && again.allSatisfy { !$0.isTracked })
    }

    /// Sensor noise and nothing else: FAST fires on the noise itself, stereo and tracking match
    /// noise against noise; every number that comes out must still be finite and every variance
    /// positive. The count is asserted first, so the checks cannot pass on an empty result.
    @Test func pureSensorNoiseGivesFiniteFeatures() throws {
        let fe = try Frontend(camera: camera)
        var g = SplitMix(state: 3)
        for _ in 0..<3 {
            let left = (0..<(w * h)).map { _ in UInt8(90 + Int.random(in: 0...60, using: &g)) }
            // The right image sees the same noise 4 px to the left, plus fresh noise of its own.
            let right = (0..<(w * h)).map { i in
                let x = i % w
                let base = x + 4 < w ? Int(left[i + 4]) : 120
                return UInt8(clamping: base + Int.random(in: -6...6, using: &g))
            }
            let out = try fe.process(left: GreyImage(width: w, height: h, pixels: left),
                                     right: GreyImage(width: w, height: h, pixels: right)).features
            #expect(out.count > 50, "noise with ±30 grey levels of contrast yields only \(out.count) FAST corners")
            #expect(out.contains { $0.disparity != nil }, "no stereo match at all on shifted noise")
            for f in out {
                #expect(f.uv.x.isFinite && f.uv.y.isFinite)
                #expect(f.covariance.uu > 0 && f.covariance.vv > 0 && f.covariance.uu.isFinite && f.covariance.vv.isFinite)
                if let d = f.disparity { #expect(d.isFinite) }
            }
        }
    }

    @Test func duplicatedFrameTracksWithZeroFlow() throws {
        let fe = try Frontend(camera: camera)
        let l = texture.image(w, h, dx: 0, dy: 0), r = texture.image(w, h, dx: 6, dy: 0)
        let a = try fe.process(left: l, right: r).features
        let b = try fe.process(left: l, right: r).features.filter(\.isTracked)
        #expect(Double(b.count) > 0.95 * Double(a.count))
        #expect(b.allSatisfy { f in ((f.uv - f.previousUV!) * (f.uv - f.previousUV!)).sum() < 1e-4 })
    }

    @Test func hugeJumpLosesTracksHonestly() throws {
        let fe = try Frontend(camera: camera)
        _ = try fe.process(left: texture.image(w, h, dx: 0, dy: 0), right: texture.image(w, h, dx: 5, dy: 0))
        let other = Texture(width: 420, height: 300, seed: 99)
        let out = try fe.process(left: other.image(w, h, dx: 0, dy: 0), right: other.image(w, h, dx: 5, dy: 0)).features
        let tracked = out.filter(\.isTracked).count
        #expect(Double(tracked) < 0.05 * Double(out.count), "\(tracked) of \(out.count) survived an unrelated frame")
    }

    @Test func rejectsWrongImageSizeAndBadConfig() throws {
        let fe = try Frontend(camera: camera)
        let small = GreyImage(width: 10, height: 10)
        #expect(throws: FrontendError.imageSize(expected: "320×200", got: "10×10")) { try fe.process(left: small, right: small) }
        var bad = FrontendConfig()
        bad.lkWindow = 8
        #expect(throws: FrontendError.self) { try Frontend(camera: camera, config: bad) }
    }
}

@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct FrontendKITTITests {
    @Test func disparitiesAgreeWithGroundTruthGeometry() throws {
        let ds = try KITTIDataset(root: SharedData.url("kitti-odometry"), sequence: "06")
        let gt = try #require(ds.groundTruth)
        let fe = try Frontend(camera: ds.camera)
        var check = GeometryCheck(camera: ds.camera)
        for i in 0..<12 {
            let f = try ds.frame(i)
            let features = try fe.process(left: f.left, right: f.right).features
            #expect(features.count > 500)
            check.add(features: features, relativeMotion: i > 0 ? gt.poses[i].inverse * gt.poses[i - 1] : nil)
        }
        let depth = try #require(GeometryCheck.median(check.relativeDepthErrors))
        let reproj = try #require(GeometryCheck.median(check.reprojectionErrors))
        print("KITTI 06 frames 0–11: median depth error \(depth * 100) %, median reprojection error \(reproj) px, \(check.reprojectionErrors.count) tracks")
        #expect(check.reprojectionErrors.count > 2000)
        #expect(depth < 0.02)
        // KITTI's ground-truth poses (GPS/INS) carry ~0.05° of relative rotation error, i.e. ~0.6 px
        // at f = 707: the bound leaves room for that, not for a broken tracker (tens of pixels).
        #expect(reproj < 2.5)
    }
}
