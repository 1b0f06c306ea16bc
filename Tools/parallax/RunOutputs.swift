import ArgumentParser
import Foundation
import Parallax
import Yams

/// Writes a run's per-frame outputs line by line (each line flushed, so the files stay valid if
/// the run is interrupted) and the summary at the end.
///
/// Files: `trajectory_kitti.txt` (3×4), `trajectory_tum.txt` (`t x y z qx qy qz qw`),
/// `covariance.txt` (`index t` + the 21 upper-triangular entries of the 6×6 pose covariance,
/// (ρ, φ) order, right perturbation), `frames.csv` (state, counts, timings), `summary.json`.
/// Poses are those of the sensor ground truth describes (KITTI/TartanAir: left camera; EuRoC:
/// body), in the world frame of the first such pose.
final class RunWriter {
    let folder: URL
    let camera: StereoCamera
    /// Ground-truth sensor ← camera (`T_sensor_cam`).
    let toSensor: SE3
    private var handles: [FileHandle] = []
    private let kitti: FileHandle, tum: FileHandle, cov: FileHandle, csv: FileHandle

    init(folder: URL, camera: StereoCamera, toSensor: SE3) throws {
        self.folder = folder
        self.camera = camera
        self.toSensor = toSensor
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw CLIError("\(folder.path): cannot create output folder: \(fileErrorReason(error))")
        }
        func open(_ name: String, header: String?) throws -> FileHandle {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.createFile(atPath: url.path, contents: header.map { Data(($0 + "\n").utf8) }),
                  let h = FileHandle(forWritingAtPath: url.path) else { throw CLIError("\(url.path): cannot write") }
            h.seekToEndOfFile()
            return h
        }
        kitti = try open("trajectory_kitti.txt", header: nil)
        tum = try open("trajectory_tum.txt", header: "# timestamp tx ty tz qx qy qz qw")
        cov = try open("covariance.txt", header: "# index timestamp c00 c01 c02 c03 c04 c05 c11 c12 … c55 (upper triangle of the 6×6 pose covariance, (rho, phi), right perturbation)")
        csv = try open("frames.csv", header: "index,timestamp,state,features,stereo,tracked,keyframe_points,matches,inliers,mean_chi2,frontend_ms,pose_ms,total_ms")
    }

    /// The camera pose expressed as the ground-truth sensor's pose.
    func sensorPose(_ cameraPose: SE3) -> SE3 { toSensor * cameraPose * toSensor.inverse }

    func sensorTrajectory(_ results: [FrameResult]) -> Trajectory {
        Trajectory(poses: results.map { sensorPose($0.pose) }, timestamps: results.map(\.timestamp))
    }

    func append(_ r: FrameResult) throws {
        let t = Trajectory(poses: [sensorPose(r.pose)], timestamps: [r.timestamp])
        write(kitti, TrajectoryFormat.kitti.line(t, 0))
        write(tum, TrajectoryFormat.tum.line(t, 0))
        var c: [String] = ["\(r.index)", "\(r.timestamp)"]
        for i in 0..<6 { for j in i..<6 { c.append(String(format: "%.6e", r.covariance[i, j])) } }
        write(cov, c.joined(separator: " "))
        let s = r.stats
        write(csv, "\(r.index),\(r.timestamp),\(r.state.rawValue),\(s.features),\(s.stereo),\(s.tracked),\(s.keyframePoints),\(s.matches),\(s.inliers),"
              + String(format: "%.3f,%.3f,%.3f,%.3f", s.meanChiSquare, s.frontendMs, s.poseMs, s.totalMs))
    }

    private func write(_ h: FileHandle, _ line: String) { h.write(Data((line + "\n").utf8)) }

    func finish(_ summary: RunSummary) throws {
        for h in [kitti, tum, cov, csv] { try? h.close() }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = folder.appendingPathComponent("summary.json")
        do { try enc.encode(summary).write(to: url, options: .atomic) } catch {
            throw CLIError("\(url.path): cannot write summary: \(fileErrorReason(error))")
        }
    }
}

/// The run summary written as JSON.
struct RunSummary: Codable {
    var dataset: String
    var frames: Int
    var requestedFrames: Int
    var interrupted: Bool
    var lostFrames: Int
    var keyframes: Int
    var seconds: Double
    var fps: Double
    var medianFrameMs: Double
    var configuration: [String: String]
    var pathLength: Double
    var evaluation: RunEvaluation?
    var loopsAccepted: Int?
    var loopsRejected: Int?
    /// The evaluation of the loop-closed trajectory.
    var correctedEvaluation: RunEvaluation?
}

/// Accuracy of a run against ground truth, computed with the Evaluation module (evo semantics).
struct RunEvaluation: Codable {
    var pairs: Int
    var groundTruthLength: Double
    /// APE translation RMSE after SE(3) Umeyama alignment, metres.
    var ateRMSE: Double
    var atePercentOfPath: Double
    /// RPE translation RMSE for consecutive frames, metres.
    var rpeRMSE: Double
    /// KITTI devkit t_err (%) and r_err (deg/100 m), when the path is long enough for 100 m segments.
    var kittiTranslationPercent: Double?
    var kittiRotationDegPer100m: Double?

    var text: String {
        var s = String(format: "ATE %.4f m (%.3f %% of %.1f m, SE(3)-aligned, %d poses), RPE %.4f m per frame", ateRMSE, atePercentOfPath, groundTruthLength, pairs, rpeRMSE)
        if let t = kittiTranslationPercent, let r = kittiRotationDegPer100m { s += String(format: "; KITTI t_err %.2f %%, r_err %.3f deg/100 m", t, r) }
        return s
    }

    static func evaluate(estimate: Trajectory, groundTruth: Trajectory, byTime: Bool) throws -> RunEvaluation? {
        do {
            var ref = groundTruth, est = estimate
            if byTime {
                (ref, est) = try Association.associate(reference: groundTruth, estimate: estimate, maxDiff: 0.01, offset: 0,
                                                       referenceName: "ground truth", estimateName: "estimate")
            } else {
                let n = min(ref.count, est.count)
                ref = ref.subset(Array(0..<n)); est = est.subset(Array(0..<n))
            }
            guard ref.count >= 3 else { return nil }
            let ape = try APE.evaluate(reference: ref, estimate: est, relation: .translationPart, alignment: .se3)
            let rpe = try RPE.evaluate(reference: ref, estimate: est, relation: .translationPart)
            let length = ref.pathLength
            var e = RunEvaluation(pairs: ref.count, groundTruthLength: length, ateRMSE: ape.statistics.rmse,
                                  atePercentOfPath: length > 0 ? 100 * ape.statistics.rmse / length : 0, rpeRMSE: rpe.statistics.rmse)
            if length > 100, let k = try? KittiOdometry.evaluate(groundTruth: ref, estimate: est), !k.segments.isEmpty {
                e.kittiTranslationPercent = k.translationErrorPercent
                e.kittiRotationDegPer100m = k.rotationErrorDegPer100m
            }
            return e
        } catch {
            throw CLIError("evaluation: \(error.description)")
        }
    }
}

/// The odometry settings a YAML file may override (keys as in `OdometryConfig`).
enum ConfigFile {
    static func load(_ path: String, into base: OdometryConfig) throws -> OdometryConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("\(path): cannot read configuration") }
        let node: [String: Any]
        do {
            guard let n = try Yams.load(yaml: text) as? [String: Any] else { throw CLIError("\(path): not a YAML mapping") }
            node = n
        } catch let e as CLIError { throw e } catch { throw CLIError("\(path): YAML: \(error)") }
        var c = base
        for (key, value) in node {
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("\(key):") }.map { $0 + 1 } ?? 0
            func fail(_ why: String) -> CLIError { CLIError("\(path):\(line): \(key): \(why)") }
            func number() throws -> Double {
                guard let v = (value as? Double) ?? (value as? Int).map(Double.init), v.isFinite else { throw fail("expected a number") }
                return v
            }
            func int() throws -> Int {
                guard let v = value as? Int else { throw fail("expected an integer") }
                return v
            }
            switch key {
            case "weighting": guard let s = value as? String, let w = WeightingMode(rawValue: s) else { throw fail("full, diagonal or identity") }; c.weighting = w
            case "residual": guard let s = value as? String, let r = ResidualKind(rawValue: s) else { throw fail("reprojection or pointToPoint") }; c.residual = r
            case "selector": guard let b = value as? Bool else { throw fail("expected true or false") }; c.selectorEnabled = b
            case "selected_points": c.selectedPoints = try int()
            case "window_size": c.windowSize = try int()
            case "selector_median_factor": c.selectorMedianFactor = try number()
            case "selector_border": c.selectorBorder = try number()
            case "max_features": c.frontend.maxFeatures = try int()
            case "lk_window": c.frontend.lkWindow = try int()
            case "lk_levels": c.frontend.lkLevels = try int()
            case "fast_threshold": c.frontend.fastThreshold = try int()
            case "min_distance": c.frontend.minDistance = try int()
            case "measurement_variance_floor": c.measurementVarianceFloor = try number()
            case "motion_prior_translation": c.motionPriorTranslation = try number()
            case "motion_prior_rotation": c.motionPriorRotation = try number()
            case "min_inliers": c.minInliers = try int()
            case "inlier_chi2": c.inlierChiSquare = try number()
            case "huber": c.huberThreshold = try number()
            case "keyframe_inlier_fraction": c.keyframeInlierFraction = try number()
            case "keyframe_translation": c.keyframeTranslation = try number()
            case "keyframe_rotation": c.keyframeRotation = try number()
            case "disparity_variance_scale": c.frontend.disparityVarianceScale = try number()
            case "flow_variance_scale": c.frontend.flowVarianceScale = try number()
            case "disparity_variance_floor": c.frontend.disparityVarianceFloor = try number()
            case "flow_variance_floor": c.frontend.varianceFloor = try number()
            default: throw fail("unknown setting")
            }
        }
        return c
    }
}

extension OdometryConfig {
    /// The settings of a run, for its summary.
    var summary: [String: String] {
        ["weighting": weighting.rawValue, "residual": residual.rawValue, "selector": "\(selectorEnabled)",
         "selected_points": "\(selectedPoints)", "max_features": "\(frontend.maxFeatures)",
         "disparity_variance_scale": "\(frontend.disparityVarianceScale)", "flow_variance_scale": "\(frontend.flowVarianceScale)",
         "disparity_variance_floor": "\(frontend.disparityVarianceFloor)", "flow_variance_floor": "\(frontend.varianceFloor)",
         "fast_threshold": "\(frontend.fastThreshold)", "min_distance": "\(frontend.minDistance)"]
    }
}
