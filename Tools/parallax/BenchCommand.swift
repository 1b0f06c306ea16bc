import ArgumentParser
import Foundation
import Parallax

/// `parallax bench`: speed (and, where ground truth exists, accuracy) of pipeline stages.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark pipeline stages on a dataset.",
        subcommands: [FrontendBench.self, SynthBench.self, StereoBench.self]
    )
}

/// `parallax bench frontend --dataset kitti PATH --sequence 06`
struct FrontendBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontend",
        abstract: "Time the front end per stage (images decoded beforehand) and check its matches against ground truth."
    )

    @Option(help: "Dataset layout: kitti, tartanair, euroc or generic.")
    var dataset: String = "kitti"

    @Argument(help: "Dataset path.")
    var path: String

    @Option(help: "KITTI sequence number.")
    var sequence: String = "00"

    @Option(parsing: .unconditional, help: "Number of passes over the sequence (times are medians over all frames of all passes).")
    var passes: Int = 3

    @Option(parsing: .unconditional, help: "Target number of tracks.")
    var features: Int = FrontendConfig().maxFeatures

    @Option(parsing: .unconditional, help: "Lucas–Kanade window size (odd).")
    var lkWindow: Int = FrontendConfig().lkWindow

    @Option(parsing: .unconditional, help: "Lucas–Kanade pyramid levels above the base.")
    var lkLevels: Int = FrontendConfig().lkLevels

    @Option(parsing: .unconditional, help: "FAST threshold.")
    var fastThreshold: Int = FrontendConfig().fastThreshold

    @Option(help: "Minimum ZNCC of a tracked window.")
    var minNcc: Float = FrontendConfig().minimumCorrelation

    @Option(help: "Forward–backward threshold, pixels.")
    var fbThreshold: Float = FrontendConfig().forwardBackwardThreshold

    @Option(help: "Write every feature of the first pass to this CSV (frame, id, u, v, previous u, v, disparity, its variance), for analysis.")
    var featuresCsv: String?

    func run() throws {
        guard let kind = DatasetKind(rawValue: dataset.lowercased()) else {
            throw ValidationError("unknown dataset layout '\(dataset)'")
        }
        guard passes > 0, features > 0 else { throw ValidationError("--passes and --features must be positive") }
        let ds: any StereoDataset
        ds = try openDataset(kind, URL(fileURLWithPath: path), sequence: sequence)
        var frames: [StereoFrame] = []
        let prefetch = FramePrefetcher(dataset: ds)
        do { while let f = try prefetch.next() { frames.append(f); progress("decoding \(frames.count)/\(ds.frameCount)") } } catch {
            throw CLIError(error.description)
        }
        progressDone()
        var config = FrontendConfig()
        config.maxFeatures = features
        config.lkWindow = lkWindow
        config.lkLevels = lkLevels
        config.fastThreshold = fastThreshold
        config.minimumCorrelation = minNcc
        config.forwardBackwardThreshold = fbThreshold
        var stages: [String: [Double]] = [:]
        var counts: [Double] = [], stereo: [Double] = [], tracked: [Double] = []
        var check = GeometryCheck(camera: ds.camera)
        var rows = ["frame,id,u,v,previous_u,previous_v,disparity,disparity_variance"]
        for pass in 0..<passes {
            let fe: Frontend
            do { fe = try Frontend(camera: ds.camera, config: config) } catch { throw CLIError(error.description) }
            for (i, frame) in frames.enumerated() {
                let (feats, t): ([Feature], FrontendTiming)
                do { (feats, t) = try fe.process(left: frame.left, right: frame.right) } catch { throw CLIError(error.description) }
                for (k, v) in [("pyramid", t.pyramid), ("track", t.track), ("detect", t.detect), ("stereo", t.stereo), ("total", t.total)] {
                    stages[k, default: []].append(v)
                }
                if pass == 0 {
                    if featuresCsv != nil {
                        rows += feats.map { f in
                            let values: [Double?] = [f.uv.x, f.uv.y, f.previousUV?.x, f.previousUV?.y, f.disparity, f.disparityVariance]
                            return "\(i),\(f.id)," + values.map { $0.map { "\($0)" } ?? "" }.joined(separator: ",")
                        }
                    }
                    counts.append(Double(feats.count))
                    stereo.append(Double(feats.filter { $0.disparity != nil }.count))
                    tracked.append(Double(feats.filter(\.isTracked).count))
                    if let gt = ds.groundTruth, gt.count == frames.count {
                        let motion = i > 0 ? gt.poses[i].inverse * gt.poses[i - 1] : nil
                        check.add(features: feats, relativeMotion: motion)
                    }
                }
                progress("pass \(pass + 1)/\(passes) frame \(i + 1)/\(frames.count)")
            }
        }
        progressDone()
        if let featuresCsv {
            do { try (rows.joined(separator: "\n") + "\n").write(toFile: featuresCsv, atomically: true, encoding: .utf8) } catch {
                throw CLIError("\(featuresCsv): cannot write: \(fileErrorReason(error))")
            }
        }
        let med = { (x: [Double]) in GeometryCheck.median(x) ?? .nan }
        print("front end on \(ds.name): \(frames.count) frames × \(passes) passes, \(ds.camera.width)×\(ds.camera.height)")
        print(String(format: "features     %.0f per frame (median), %.0f with stereo, %.0f tracked from the previous frame",
                     med(counts), med(stereo), med(tracked)))
        if !check.reprojectionErrors.isEmpty {
            print(String(format: "vs ground truth: median depth error %.2f %%, median reprojection error %.3f px (%d tracks)",
                         100 * med(check.relativeDepthErrors), med(check.reprojectionErrors), check.reprojectionErrors.count))
            print(String(format: "NEES (95%%-trimmed mean; 1 = calibrated): disparity %.3f, flow %.3f",
                         GeometryCheck.trimmedMean(check.disparityNEES) ?? .nan, GeometryCheck.trimmedMean(check.flowNEES) ?? .nan))
        }
        for stage in ["pyramid", "track", "detect", "stereo"] {
            print(stage.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %7.2f ms (median)", med(stages[stage] ?? [])))
        }
        print(String(format: "total        %7.2f ms/frame", med(stages["total"] ?? [])))
    }
}

/// `parallax bench synth --camera vga|kitti`: time to render one stereo pair (with depth).
struct SynthBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Time the synthetic renderer: median milliseconds per stereo pair (left, right, depth)."
    )

    @Option(help: "Camera: vga (640×480), kitti (1226×370) or tartanair.")
    var camera: String = "vga"

    @Option(help: "World: canyon or room.")
    var world: String = "canyon"

    @Option(parsing: .unconditional, help: "Frames to render (spread over a loop).")
    var frames: Int = 40

    func run() throws {
        guard let preset = CameraPreset(rawValue: camera) else { throw ValidationError("unknown camera '\(camera)'") }
        guard let w = WorldKind(rawValue: world) else { throw ValidationError("unknown world '\(world)'") }
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
        let seq: SyntheticSequence
        do { seq = try SyntheticSequence(world: w, trajectory: .loop, camera: preset.camera, frames: frames) } catch {
            throw CLIError(error.description)
        }
        _ = seq.render(frame: 0)  // warm-up
        var times: [Double] = []
        for i in 0..<frames {
            let t0 = Date()
            _ = seq.render(frame: i)
            times.append(Date().timeIntervalSince(t0) * 1000)
        }
        let c = preset.camera
        print(String(format: "render %@ %d×%d: median %.2f ms per stereo pair (min %.2f, max %.2f, %d frames)",
                     w.rawValue, c.width, c.height, median(times), times.min() ?? 0, times.max() ?? 0, frames))
    }
}

/// `parallax bench stereo LEFT RIGHT GROUND_TRUTH [--mask FILE] [--json] [--points FILE]`
struct StereoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stereo",
        abstract: "The front end's stereo matches on a rectified pair against ground-truth disparity, with OpenCV's SGBM at the same pixels.",
        discussion: """
        Ground truth: KITTI's 16-bit PNG (disparity × 256, 0 unknown) or PFM (inf unknown). Errors are \
        estimate − truth at the front end's matched pixels (truth interpolated where its four neighbours \
        agree within 1 px), per band of true disparity; NEES is the 95 %-trimmed mean of error² over the \
        reported disparity variance. Images may be grey or colour (converted to grey).
        """
    )

    @Argument(help: "Left image (rectified).") var left: String
    @Argument(help: "Right image (rectified).") var right: String
    @Argument(help: "Ground-truth disparity of the left image (.png or .pfm).") var groundTruth: String
    @Option(help: "Mask image: only pixels of value 255 count (e.g. Middlebury's mask0nocc.png).") var mask: String?
    @Option(help: "YAML configuration whose front-end settings the matching uses (see README).") var config: String?
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Write every match with ground truth to this CSV file (u, v, estimate, truth, error, variance, SGBM and its truth).")
    var points: String?

    func run() throws {
        let result: StereoBenchmark.Result
        do {
            let l = try GreyImage.decode(URL(fileURLWithPath: left)), r = try GreyImage.decode(URL(fileURLWithPath: right))
            let truth = try DisparityMap.read(URL(fileURLWithPath: groundTruth))
            let m = try mask.map { try GreyImage.decode(URL(fileURLWithPath: $0)) }
            let size = "\(l.width)×\(l.height)"
            for (path, w, h) in [(right, r.width, r.height), (groundTruth, truth.width, truth.height)] + (m.map { [(mask ?? "", $0.width, $0.height)] } ?? [])
            where w != l.width || h != l.height {
                throw CLIError("\(path): \(w)×\(h), but \(left) is \(size): the pair, its ground truth and the mask must have one size")
            }
            let settings = try config.map { try OdometryConfig(yaml: $0).frontend } ?? FrontendConfig()
            result = try StereoBenchmark.run(left: l, right: r, truth: truth, mask: m, config: settings)
        } catch let e as DatasetError { throw CLIError(e.description) } catch let e as FrontendError {
            throw CLIError("\(left): \(e.description)")
        }
        if let points { try writePoints(result.points, to: points) }
        if json {
            var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(result.frontend)) as? [String: Any] ?? [:]
            object["sgbm"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(result.sgbm))
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("front end: " + result.frontend.text)
            print("SGBM at the same pixels: " + result.sgbm.text)
        }
    }

    /// One row per match; empty fields where a value is missing.
    private func writePoints(_ rows: [StereoBenchmark.Point], to path: String) throws {
        func f(_ x: Double?) -> String { x.map { fixedDecimal($0, digits: 4) } ?? "" }
        var text = "u,v,estimate,truth,error,variance,sgbm,sgbm_truth\n"
        for p in rows {
            text += [f(p.u), f(p.v), f(p.estimate), f(p.truth), f(p.estimate - p.truth), f(p.variance), f(p.sgbm), f(p.sgbmTruth)]
                .joined(separator: ",") + "\n"
        }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw CLIError("\(path): cannot write the points (\(error.localizedDescription))")
        }
    }
}
