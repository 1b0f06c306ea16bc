import Foundation
import Parallax

/// Loop closure at the end of a run: corrects the trajectory, writes `trajectory_corrected_kitti.txt`,
/// `trajectory_corrected_tum.txt` and `loops.csv` (every verified loop, accepted or rejected), and
/// returns the corrected trajectory in the ground truth's sensor frame.
func closeLoops(_ closer: LoopCloser, results: [FrameResult], writer: RunWriter, folder: URL) throws -> (Trajectory, LoopCloser.Correction) {
    let correction: LoopCloser.Correction
    do { correction = try closer.correct() } catch { throw CLIError("loop closure: \(error)") }
    let poses = closer.correctedFrames(results.map(\.pose), correction)
    let trajectory = Trajectory(poses: poses.map(writer.sensorPose), timestamps: results.map(\.timestamp))
    do {
        try TrajectoryFormat.kitti.write(trajectory, to: folder.appendingPathComponent("trajectory_corrected_kitti.txt"))
        try TrajectoryFormat.tum.write(trajectory, to: folder.appendingPathComponent("trajectory_corrected_tum.txt"))
    } catch { throw CLIError(error.description) }
    var csv = "candidate_frame,query_frame,matches,inliers,score,accepted\n"
    let accepted = Set(correction.accepted.map { [$0.candidate, $0.query] })
    for l in closer.loops {
        csv += "\(l.candidate),\(l.query),\(l.matches),\(l.inliers),\(String(format: "%.4f", l.score)),\(accepted.contains([l.candidate, l.query]))\n"
    }
    let url = folder.appendingPathComponent("loops.csv")
    do { try Data(csv.utf8).write(to: url) } catch { throw CLIError("\(url.path): cannot write: \(error.localizedDescription)") }
    print(String(format: "loop closure: %d loops accepted, %d rejected, %d keyframes (place recognition %.2f ms per keyframe, median), correction %.1f ms",
                 correction.accepted.count, correction.rejected.count, closer.keyframes.count,
                 median(closer.recognitionSeconds) * 1000, correction.seconds * 1000))
    return (trajectory, correction)
}
