import ArgumentParser
import Foundation
import Parallax

/// Every file a run may write, named once: the writers use these names and a run owns exactly
/// these in its folder (it never mixes its outputs with an earlier run's).
enum RunFile: String, CaseIterable {
    case trajectoryKITTI = "trajectory_kitti.txt", trajectoryTUM = "trajectory_tum.txt", covariance = "covariance.txt"
    case liveKITTI = "trajectory_live_kitti.txt", liveTUM = "trajectory_live_tum.txt"
    case frames = "frames.csv", summary = "summary.json", groundTruthKITTI = "groundtruth_kitti.txt"
    case correctedKITTI = "trajectory_corrected_kitti.txt", correctedTUM = "trajectory_corrected_tum.txt"
    case loops = "loops.csv", submaps = "submaps.csv", config = "config.yaml"
    case map = "map.ply", keyframes = "keyframes_kitti.txt", report = "report.html"
}

extension URL {
    /// The run output `file` in this folder.
    func appending(_ file: RunFile) -> URL { appendingPathComponent(file.rawValue) }
}

/// Writes a run's per-frame outputs line by line (each line flushed, so the files stay valid if
/// the run is interrupted) and the summary at the end.
///
/// Files: `trajectory_kitti.txt` (3×4), `trajectory_tum.txt` (`t x y z qx qy qz qw`): the live
/// poses while the run goes on, replaced at its end by the refined ones (`refine`, which keeps the
/// live ones as `trajectory_live_kitti.txt` and `trajectory_live_tum.txt`),
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


    /// Creates the folder, or takes it over: a folder holding an earlier run's outputs is refused
    /// unless `overwrite`, in which case those files (and no others) are removed first.
    init(folder: URL, camera: StereoCamera, toSensor: SE3, overwrite: Bool) throws {
        self.folder = folder
        self.camera = camera
        self.toSensor = toSensor
        try Self.claim(folder, overwrite: overwrite)
        func open(_ file: RunFile, header: String?) throws -> FileHandle {
            let url = folder.appending(file)
            guard FileManager.default.createFile(atPath: url.path, contents: header.map { Data(($0 + "\n").utf8) }),
                  let h = FileHandle(forWritingAtPath: url.path) else { throw CLIError("\(url.path): cannot write") }
            h.seekToEndOfFile()
            return h
        }
        kitti = try open(.trajectoryKITTI, header: nil)
        tum = try open(.trajectoryTUM, header: "# timestamp tx ty tz qx qy qz qw")
        cov = try open(.covariance, header: "# index timestamp c00 c01 c02 c03 c04 c05 c11 c12 … c55 (upper triangle of the 6×6 pose covariance, (rho, phi), right perturbation)")
        csv = try open(.frames, header: "index,timestamp,state,features,stereo,tracked,keyframe_points,matches,inliers,mean_chi2,frontend_ms,pose_ms,total_ms,pipeline_ms,disparity_offset,retracked")
    }

    private static func claim(_ folder: URL, overwrite: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CLIError("\(folder.path): is a file; --out must name a folder")
        }
        do { try fm.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw CLIError("\(folder.path): cannot create output folder: \(fileErrorReason(error))")
        }
        let earlier = RunFile.allCases.map(\.rawValue).filter { fm.fileExists(atPath: folder.appendingPathComponent($0).path) }
        guard !earlier.isEmpty else { return }
        guard overwrite else {
            throw CLIError("\(folder.path): holds an earlier run's outputs (\(earlier.joined(separator: ", "))); "
                           + "choose another --out or pass --overwrite to replace them")
        }
        for name in earlier {
            do { try fm.removeItem(at: folder.appendingPathComponent(name)) } catch {
                throw CLIError("\(folder.appendingPathComponent(name).path): cannot remove: \(fileErrorReason(error))")
            }
        }
    }

    /// The camera pose expressed as the ground-truth sensor's pose.
    func sensorPose(_ cameraPose: SE3) -> SE3 { toSensor * cameraPose * toSensor.inverse }

    func sensorTrajectory(_ results: [FrameResult]) -> Trajectory {
        Trajectory(poses: results.map { sensorPose($0.pose) }, timestamps: results.map(\.timestamp))
    }

    /// Appends a frame; `pipelineMs` is the whole pipeline's time for it (odometry and loop detection).
    func append(_ r: FrameResult, pipelineMs: Double) throws {
        let t = Trajectory(poses: [sensorPose(r.pose)], timestamps: [r.timestamp])
        write(kitti, TrajectoryFormat.kitti.line(t, 0))
        write(tum, TrajectoryFormat.tum.line(t, 0))
        var c: [String] = ["\(r.index)", "\(r.timestamp)"]
        for i in 0..<6 { for j in i..<6 { c.append(String(format: "%.6e", r.covariance[i, j])) } }
        write(cov, c.joined(separator: " "))
        let s = r.stats
        write(csv, "\(r.index),\(r.timestamp),\(r.state.rawValue),\(s.features),\(s.stereo),\(s.tracked),\(s.keyframePoints),\(s.matches),\(s.inliers),"
              + String(format: "%.3f,%.3f,%.3f,%.3f,%.3f,%.4f,", s.meanChiSquare, s.frontendMs, s.poseMs, s.totalMs, pipelineMs, s.disparityOffset)
              + (s.retracked ? "1" : "0"))
    }

    private func write(_ h: FileHandle, _ line: String) { h.write(Data((line + "\n").utf8)) }

    /// Ends the live trajectory files: they become `trajectory_live_*.txt`, and `trajectory_*.txt`
    /// take `refined` (each file replaced whole, so every name always holds a complete trajectory).
    func refine(_ refined: Trajectory) throws {
        for h in [kitti, tum] { try? h.close() }
        let files = [(RunFile.trajectoryKITTI, RunFile.liveKITTI, TrajectoryFormat.kitti), (.trajectoryTUM, .liveTUM, .tum)]
        // Both live copies first: a run killed in between leaves every file a complete trajectory.
        for (live, kept, _) in files {
            let to = folder.appending(kept)
            do { try FileManager.default.copyItem(at: folder.appending(live), to: to) } catch {
                throw CLIError("\(to.path): cannot write: \(fileErrorReason(error))")
            }
        }
        for (live, _, format) in files {
            do { try format.write(refined, to: folder.appending(live)) } catch { throw CLIError(error.description) }
        }
    }

    /// Writes `map.ply` (binary, or ASCII when `ascii`) and `keyframes_kitti.txt` (the keyframes'
    /// poses), in the world frame of the trajectory files.
    func writeMap(_ map: PointMap, ascii: Bool) throws {
        let inSensorWorld = map.inWorld(toSensor)
        let keyframes = Trajectory(poses: inSensorWorld.keyframes.map { $0.pose * toSensor.inverse }, timestamps: nil)
        let mapURL = folder.appending(.map), keyframesURL = folder.appending(.keyframes)
        do { try inSensorWorld.ply(ascii: ascii).write(to: mapURL, options: .atomic) } catch {
            throw CLIError("\(mapURL.path): cannot write: \(fileErrorReason(error))")
        }
        do { try TrajectoryFormat.kitti.write(keyframes, to: keyframesURL) } catch { throw CLIError(error.description) }
    }

    /// Writes `config.yaml`: every setting of the run; `parallax run --config` with it reproduces
    /// the run.
    func writeConfiguration(_ config: PipelineConfig) throws {
        let url = folder.appending(.config)
        let text = "# Every setting of this run (parallax \(ParallaxInfo.version)); `parallax run --config` with this file repeats it.\n" + config.yaml
        do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
            throw CLIError("\(url.path): cannot write: \(fileErrorReason(error))")
        }
    }

    func finish(_ summary: RunSummary) throws {
        for h in [kitti, tum, cov, csv] { try? h.close() }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = folder.appending(.summary)
        do { try enc.encode(summary).write(to: url, options: .atomic) } catch {
            throw CLIError("\(url.path): cannot write summary: \(fileErrorReason(error))")
        }
    }
}

extension PipelineConfig {
    /// Every setting of a run, for its summary.
    var summary: [String: String] {
        Dictionary(uniqueKeysWithValues: Self.settings.map { ($0.key, $0.value(in: self)) })
    }
}
