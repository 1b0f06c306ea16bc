import CVBridge
import Imaging
import Foundation
import Geometry

/// The front end's stereo matching on one rectified pair against ground-truth disparity, with
/// OpenCV's StereoSGBM at the same pixels beside it (`parallax bench stereo`).
public enum StereoBenchmark {
    public struct Result: Codable, Sendable {
        public var frontend: StereoAccuracy
        public var sgbm: StereoAccuracy
        /// Every front-end match with ground truth, for a look at single points.
        public var points: [Point]
    }

    /// One front-end match with its ground truth, and SGBM's disparity at its pixel (nil where
    /// SGBM has none) with the truth at that integer pixel.
    public struct Point: Codable, Sendable {
        public var u: Double
        public var v: Double
        public var estimate: Double
        public var truth: Double
        public var variance: Double?
        public var sgbm: Double?
        public var sgbmTruth: Double?
    }

    /// Runs the front end's detection and stereo on the pair (its first frame: no tracking) and
    /// SGBM on the whole image, and compares both with `truth` at the front end's matched
    /// pixels (sub-pixel positions, `DisparityMap.value`). `mask` (same size, 255 = use) limits
    /// where truth counts, e.g. Middlebury's non-occluded mask.
    public static func run(left: GreyImage, right: GreyImage, truth: DisparityMap, mask: GreyImage? = nil,
                           config: FrontendConfig = FrontendConfig()) throws(FrontendError) -> Result {
        guard left.width == right.width, left.height == right.height, truth.width == left.width, truth.height == left.height,
              mask.map({ $0.width == left.width && $0.height == left.height }) ?? true else {
            throw .imageSize(expected: "\(left.width)×\(left.height) for both images, the truth and the mask",
                             got: "right \(right.width)×\(right.height), truth \(truth.width)×\(truth.height)"
                                + (mask.map { ", mask \($0.width)×\($0.height)" } ?? ""))
        }
        let w = left.width, h = left.height
        let camera = StereoCamera(fx: Double(w), fy: Double(w), cx: Double(w) / 2, cy: Double(h) / 2, baseline: 1, width: w, height: h)
        let frontend = try Frontend(camera: camera, config: config)
        let features = try frontend.process(left: left, right: right).features.filter { $0.disparity != nil }
        let sgbm = try sgbmDisparity(left: left, right: right, maxDisparity: config.maxDisparity)
        var points: [Point] = []
        var sgbmMatches = 0
        for f in features {
            let x = Int(f.uv.x.rounded()), y = Int(f.uv.y.rounded())
            guard x >= 0, y >= 0, x < w, y < h else { continue }
            let s = Double(sgbm[y * w + x])
            if s >= 0 { sgbmMatches += 1 }
            guard mask.map({ $0.pixels[y * w + x] == 255 }) ?? true, let t = truth.value(x: f.uv.x, y: f.uv.y), let d = f.disparity else {
                continue
            }
            // SGBM's disparity is per integer pixel: compare it with the truth at that pixel.
            let tp = s >= 0 ? truth.value(x: Double(x), y: Double(y)) : nil
            points.append(Point(u: f.uv.x, v: f.uv.y, estimate: d, truth: t, variance: f.disparityVariance,
                                sgbm: tp == nil ? nil : s, sgbmTruth: tp))
        }
        let ours = points.map { StereoAccuracy.Sample(estimate: $0.estimate, truth: $0.truth, variance: $0.variance) }
        let theirs = points.compactMap { p in
            p.sgbm.flatMap { s in p.sgbmTruth.map { StereoAccuracy.Sample(estimate: s, truth: $0, variance: nil) } }
        }
        return Result(frontend: StereoAccuracy(matches: features.count, samples: ours),
                      sgbm: StereoAccuracy(matches: sgbmMatches, samples: theirs), points: points)
    }

    /// OpenCV's SGBM disparities (−1 where none), searching up to `maxDisparity` pixels.
    static func sgbmDisparity(left: GreyImage, right: GreyImage, maxDisparity: Int) throws(FrontendError) -> [Float] {
        var out = [Float](repeating: -1, count: left.width * left.height)
        var err = cvb_error()
        let range = Int32((maxDisparity + 15) / 16 * 16)
        let rc = left.pixels.withUnsafeBufferPointer { l in
            right.pixels.withUnsafeBufferPointer { r in
                out.withUnsafeMutableBufferPointer { o in
                    cvb_sgbm_disparity(l.baseAddress, r.baseAddress, Int32(left.width), Int32(left.height), range, 5, o.baseAddress, &err)
                }
            }
        }
        guard rc == CVB_OK.rawValue else { throw .bridge(err.text) }
        return out
    }
}
