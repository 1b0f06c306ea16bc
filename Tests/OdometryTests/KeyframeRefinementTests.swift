import Geometry
import Odometry
import Testing

/// Frames follow their reference keyframe from the pose it had when they were solved to its final one.
struct KeyframeRefinementTests {
    func pose(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double) -> SE3 { .exp(Vec6([a, b, c, d, e, f])) }

    func close(_ a: SE3, _ b: SE3) -> Bool { (a.inverse * b).log.norm < 1e-12 }

    @Test func framesMoveWithTheirKeyframesFinalPose() {
        let k0 = SE3.identity, k1 = pose(2, 0.1, 0, 0, 0.05, 0)
        // Frame 3 makes keyframe 1 at k1; the window's update (k1 → k1Window) comes with frame 4,
        // which is solved against k1Window; frame 5's update moves both keyframes again.
        let k1Window = pose(2.05, 0.09, 0, 0, 0.045, 0.001)
        let k0Final = pose(0, 0.01, 0, 0.002, 0, 0), k1Final = pose(2.1, 0.08, 0.01, 0, 0.04, 0.003)
        let live = [k0, pose(0.7, 0, 0, 0, 0.01, 0), pose(1.4, 0.05, 0, 0, 0.03, 0), k1,
                    k1Window * pose(0.6, 0, 0, 0, 0.02, 0), k1Window * pose(1.3, 0, 0.02, 0, 0.01, 0)]
        var refinement = KeyframeRefinement()
        refinement.add(reference: 0, referencePose: k0, pose: live[0], keyframePoses: [0: k0])
        refinement.add(reference: 0, referencePose: k0, pose: live[1], keyframePoses: [:])
        refinement.add(reference: 0, referencePose: k0, pose: live[2], keyframePoses: [:])
        refinement.add(reference: 1, referencePose: k1, pose: live[3], keyframePoses: [0: k0, 1: k1])
        refinement.add(reference: 1, referencePose: k1Window, pose: live[4], keyframePoses: [0: k0, 1: k1Window])
        refinement.add(reference: 1, referencePose: k1Window, pose: live[5], keyframePoses: [:])
        refinement.update([0: k0Final, 1: k1Final])
        let refined = refinement.refined()
        #expect(refined.count == live.count)
        #expect(close(refined[0], k0Final))
        #expect(close(refined[2], k0Final * k0.inverse * live[2]))
        #expect(close(refined[3], k1Final))
        // Relative to its keyframe a frame keeps the pose its solve measured.
        #expect(close(refined[4], k1Final * (k1Window.inverse * live[4])))
        #expect(close(refined[5], k1Final * (k1Window.inverse * live[5])))
        #expect(refinement.pose(ofKeyframe: 1).map { close($0, k1Final) } == true)
        #expect(refinement.pose(ofKeyframe: 2) == nil)
    }

    /// Without later corrections the refined trajectory is the live one.
    @Test func withoutCorrectionsNothingMoves() {
        let live = [SE3.identity, pose(1, 0, 0, 0, 0.02, 0), pose(2, 0, 0.1, 0, 0.03, 0)]
        var refinement = KeyframeRefinement()
        refinement.add(reference: 0, referencePose: live[0], pose: live[0], keyframePoses: [0: live[0]])
        refinement.add(reference: 0, referencePose: live[0], pose: live[1], keyframePoses: [:])
        refinement.add(reference: 1, referencePose: live[2], pose: live[2], keyframePoses: [0: live[0], 1: live[2]])
        #expect(zip(refinement.refined(), live).allSatisfy { close($0.0, $0.1) })
    }
}
