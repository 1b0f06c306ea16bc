import Datasets
import Foundation
import Frontend
import Testing
import TestSupport

/// The front end's stereo against real ground-truth disparity (KITTI 2012 LiDAR, ETH3D laser
/// scan, Middlebury structured light), with OpenCV's SGBM at the same pixels.
@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct StereoAccuracyTests {
    static let pairs: [(name: String, left: String, right: String, truth: String, mask: String?)] = [
        ("KITTI 2012 000070", "kitti2012/image_0/000070_10.png", "kitti2012/image_1/000070_10.png", "kitti2012/disp_noc/000070_10.png", nil),
        ("ETH3D playground", "eth3d/playground/im0.png", "eth3d/playground/im1.png", "eth3d/playground/disp0.pfm", nil),
        ("Middlebury Motorcycle", "middlebury2014/Motorcycle/im0.png", "middlebury2014/Motorcycle/im1.png",
         "middlebury2014/Motorcycle/disp0GT.pfm", "middlebury2014/Motorcycle/mask0nocc.png"),
    ]

    static func run(_ k: Int, config: FrontendConfig = FrontendConfig()) throws -> StereoBenchmark.Result {
        let p = pairs[k]
        let url = { (s: String) in SharedData.url("stereo-gt/" + s) }
        return try StereoBenchmark.run(left: GreyImage.decode(url(p.left)), right: GreyImage.decode(url(p.right)),
                                       truth: DisparityMap.read(url(p.truth)), mask: try p.mask.map { try GreyImage.decode(url($0)) },
                                       config: config)
    }

    /// No band of true disparity with 30 or more points may be biased by more than 0.1 px, or,
    /// where OpenCV's SGBM is itself biased at the same pixels (the pair's truth and images
    /// disagree, e.g. on ETH3D's ground), by more than SGBM + 0.02 px: a disparity bias is a depth
    /// (and so scale) bias, worst for far points.
    @Test(arguments: 0..<3) func noDisparityBandIsBiased(_ k: Int) throws {
        let r = try Self.run(k)
        print("\(Self.pairs[k].name): front end \(r.frontend.text)\nSGBM \(r.sgbm.text)")
        #expect(r.frontend.withTruth >= 50, "too few matches with ground truth to judge")
        for (band, sgbm) in zip(r.frontend.bands, r.sgbm.bands) where band.points >= 30 {
            let bias = try #require(band.medianError)
            let allowed = max(0.1, abs(sgbm.medianError ?? 0) + 0.02)
            #expect(abs(bias) <= allowed, "\(Self.pairs[k].name), true disparity \(band.from)…: median error \(bias) px (SGBM \(sgbm.medianError ?? .nan))")
        }
    }

    /// The reported disparity variances are metric on real images: the normalised squared error
    /// averages 0.5–2 on every pair. The rig's share of the variance was fitted on the KITTI pair
    /// alone, so ETH3D and Middlebury (other cameras) are held out.
    @Test(arguments: 0..<3) func disparityVarianceIsMetricOnRealPairs(_ k: Int) throws {
        let nees = try #require(try Self.run(k).frontend.nees)
        #expect((0.5...2).contains(nees), "\(Self.pairs[k].name): disparity NEES \(nees)")
    }

    /// Gross errors (> 3 px) in at most 1 % of the matches with truth, or no more than SGBM's
    /// share at the same pixels.
    @Test(arguments: 0..<3) func fewGrossStereoErrors(_ k: Int) throws {
        let r = try Self.run(k)
        let limit = max(0.01, r.sgbm.outliers3px)
        #expect(r.frontend.outliers3px <= limit, "\(Self.pairs[k].name): \(r.frontend.outliers3px) > 3 px (SGBM \(r.sgbm.outliers3px))")
    }

    /// Without the neighbours' support the railing and the depth-edge errors come back: the check
    /// is what brings the gross errors under the limit (KITTI 1.4 % and Middlebury 2.2 % without it).
    @Test func neighbourSupportRemovesGrossErrors() throws {
        var config = FrontendConfig()
        config.stereoSupportRadius = 0
        let without = try Self.run(0, config: config)
        let with = try Self.run(0)
        #expect(with.frontend.outliers3px < without.frontend.outliers3px)
        #expect(Double(with.frontend.matches) >= 0.95 * Double(without.frontend.matches), "the check refuses more than 5 % of the matches")
    }

    /// The per-point list (`--points`) is the set the statistics were computed from: one row per
    /// match with truth, the same gross errors, SGBM's rows where it has a disparity.
    @Test func thePointsAreTheMatchesWithTruth() throws {
        let r = try Self.run(2)
        #expect(r.points.count == r.frontend.withTruth)
        let gross = Double(r.points.filter { abs($0.estimate - $0.truth) > 3 }.count) / Double(r.points.count)
        #expect(abs(gross - r.frontend.outliers3px) < 1e-12)
        #expect(r.points.filter { $0.sgbm != nil }.count == r.sgbm.withTruth)
        #expect(r.points.allSatisfy { $0.sgbm == nil || $0.sgbmTruth != nil })
    }

    /// The readers: KITTI's 16-bit PNG at a pixel with truth, and a PFM's bottom-up row order.
    @Test func groundTruthReadersDecodeKnownValues() throws {
        let kitti = try DisparityMap.read(SharedData.url("stereo-gt/kitti2012/disp_noc/000070_10.png"))
        #expect(kitti.width == 1241 && kitti.height == 376)
        let known = kitti.values.filter(\.isFinite)
        #expect(known.count > 50_000 && known.allSatisfy { $0 > 0 && $0 < 256 })
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let pfm = dir.url.appendingPathComponent("t.pfm")
        var data = Data("Pf\n2 2\n-1\n".utf8)
        for v: Float in [1, 2, .infinity, 4] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        try data.write(to: pfm)
        let map = try DisparityMap.read(pfm)
        // File rows are bottom-up: the first row written is the image's bottom row.
        #expect(map.values[2] == 1 && map.values[3] == 2 && map.values[0].isNaN && map.values[1] == 4)
        #expect(map.value(x: 1, y: 1) == 2 && map.value(x: 0, y: 0) == nil)
    }

    /// `--json` has one shape: every key present, `null` where there is no value.
    @Test func jsonHasEveryKey() throws {
        let a = StereoAccuracy(matches: 3, samples: [.init(estimate: 10.2, truth: 10, variance: nil), .init(estimate: 50, truth: 45, variance: nil)])
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(a)) as? [String: Any])
        #expect(Set(object.keys) == ["matches", "with_truth", "bands", "median_error", "outliers_1px", "outliers_3px", "nees"])
        #expect(object["nees"] is NSNull && (object["outliers_3px"] as? Double) == 0.5)
        let bands = try #require(object["bands"] as? [[String: Any]])
        #expect(bands.count == 5 && bands.allSatisfy { Set($0.keys) == ["from", "to", "points", "median_error", "mean_error", "mad"] })
        #expect(bands[0]["median_error"] is NSNull && bands[4]["to"] is NSNull && (bands[2]["points"] as? Int) == 1)
    }
}
