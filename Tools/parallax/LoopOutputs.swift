import Foundation
import Parallax

/// The loop closure's outputs at the end of a run: writes `trajectory_corrected_kitti.txt`,
/// `trajectory_corrected_tum.txt`, `loops.csv` (every verified loop, accepted or rejected) and
/// `submaps.csv`, and returns the corrected trajectory in the ground truth's sensor frame.
func writeLoopOutputs(_ closer: LoopCloser, _ correction: LoopGraph.Correction, result: PipelineResult, writer: RunWriter,
                      folder: URL) throws -> Trajectory {
    let trajectory = Trajectory(poses: result.correctedPoses.map(writer.sensorPose), timestamps: result.timestamps)
    do {
        try TrajectoryFormat.kitti.write(trajectory, to: folder.appending(.correctedKITTI))
        try TrajectoryFormat.tum.write(trajectory, to: folder.appending(.correctedTUM))
    } catch { throw CLIError(error.description) }
    // Every verified loop: accepted by the graph, rejected (odometry gate or χ² at the optimum),
    // or unconfirmed (no neighbouring keyframe agreed; never used).
    var csv = "candidate_frame,query_frame,matches,inliers,score,confirmed_by,status\n"
    let accepted = Set(correction.accepted.map { [$0.candidate, $0.query] })
    for (l, unconfirmed) in closer.loops.map({ ($0, false) }) + closer.unconfirmed.map({ ($0, true) }) {
        let status = unconfirmed ? "unconfirmed" : accepted.contains([l.candidate, l.query]) ? "accepted" : "rejected"
        csv += "\(l.candidate),\(l.query),\(l.matches),\(l.inliers),\(String(format: "%.4f", l.score)),\(l.confirmedBy.map(String.init) ?? ""),\(status)\n"
    }
    try write(csv, to: folder.appending(.loops))
    // Submaps: anchor, keyframes, connected component (a component other than 0 is in its own frame).
    var submaps = "submap,anchor_frame,last_keyframe_frame,keyframes,component\n"
    for s in correction.submaps { submaps += "\(s.number),\(s.anchor),\(s.last),\(s.keyframes.count),\(s.component)\n" }
    try write(submaps, to: folder.appending(.submaps))
    let components = Set(correction.submaps.map(\.component)).count
    print(String(format: "loop closure: %d loops accepted, %d rejected, %d unconfirmed; %d keyframes in %d submaps, %d connected map%@; place recognition %.2f ms + verification %.2f ms per keyframe (median; last 100 keyframes: %.2f + %.2f ms); correction %.1f ms (anchors %.1f ms)",
                 correction.accepted.count, correction.rejected.count, closer.unconfirmed.count, closer.keyframes.count,
                 correction.submaps.count, components, components == 1 ? "" : "s",
                 median(closer.recognitionSeconds) * 1000, median(closer.verificationSeconds) * 1000,
                 median(Array(closer.recognitionSeconds.suffix(100))) * 1000, median(Array(closer.verificationSeconds.suffix(100))) * 1000,
                 correction.seconds * 1000, correction.anchorSeconds * 1000))
    return trajectory
}

private func write(_ text: String, to url: URL) throws {
    do { try Data(text.utf8).write(to: url) } catch { throw CLIError("\(url.path): cannot write: \(fileErrorReason(error))") }
}
