import Evaluation
import Foundation
import Geometry
import TestSupport
import Testing
import Trajectories

@Suite struct TrajectorySummaryTests {
    @Test func infosLineAsEvoTrajPrintsIt() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let path = try write("10.0 0 0 0 0 0 0 1\n10.5 3 4 0 0 0 0 1\n12.25 3 4 1 0 0 0 1\n", "run.txt", in: dir)
        let (s, trajectory) = try TrajectorySummary.load(path, format: "tum")
        #expect(trajectory.count == 3)
        #expect(s.name == "run" && s.poses == 3 && s.pathLength == 6 && s.duration == 2.25)
        #expect(s.infos == "3 poses, 6.000m path length, 2.250s duration")
        let kitti = TrajectorySummary(name: "k", trajectory: Trajectory(poses: [SE3(), SE3(translation: Vec3(0, 0, 1.5))]))
        #expect(kitti.infos == "2 poses, 1.500m path length")
        #expect(throws: EvaluationError.trajectory(.unknownFormat("bag"))) { try TrajectorySummary.load(path, format: "bag") }
    }
}
