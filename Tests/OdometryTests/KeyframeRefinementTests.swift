import Geometry
import Odometry
import Testing

/// Frames follow their reference keyframe from the pose they were reported against to its final one.
struct KeyframeRefinementTests {
    func pose(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double) -> SE3 { .exp(Vec6([a, b, c, d, e, f])) }

    func close(_ a: SE3, _ b: SE3) -> Bool { (a.inverse * b).log.norm < 1e-12 }

    @Test func framesMoveWithTheirKeyframesFinalPose() {
        let k0 = SE3.identity, k1 = pose(2, 0.1, 0, 0, 0.05, 0)
        let live = [k0, pose(0.7, 0, 0, 0, 0.01, 0), pose(1.4, 0.05, 0, 0, 0.03, 0), k1,
                    k1 * pose(0.6, 0, 0, 0, 0.02, 0), k1 * pose(1.3, 0, 0.02, 0, 0.01, 0)]
        // Frame 3 makes keyframe 1; frame 5's window optimisation moves both keyframes.
        let k0Final = pose(0, 0.01, 0, 0.002, 0, 0), k1Final = pose(2.1, 0.08, 0.01, 0, 0.04, 0.003)
        var refinement = KeyframeRefinement()
        refinement.add(reference: 0, keyframePoses: [0: k0])
        refinement.add(reference: 0, keyframePoses: [:])
        refinement.add(reference: 0, keyframePoses: [:])
        refinement.add(reference: 1, keyframePoses: [0: k0, 1: k1])
        refinement.add(reference: 1, keyframePoses: [:])
        refinement.add(reference: 1, keyframePoses: [0: k0Final, 1: k1Final])
        let refined = refinement.refined(live)
        #expect(close(refined[0], k0Final))
        #expect(close(refined[2], k0Final * k0.inverse * live[2]))
        #expect(close(refined[3], k1Final))
        #expect(close(refined[5], k1Final * k1.inverse * live[5]))
        // Relative to its keyframe a frame keeps the pose it was solved with.
        #expect(close(refined[4], k1Final * (k1.inverse * live[4])))
        #expect(refinement.pose(ofKeyframe: 1).map { close($0, k1Final) } == true)
        #expect(refinement.pose(ofKeyframe: 2) == nil)
    }

    /// Without later corrections the refined trajectory is the live one.
    @Test func withoutCorrectionsNothingMoves() {
        let live = [SE3.identity, pose(1, 0, 0, 0, 0.02, 0), pose(2, 0, 0.1, 0, 0.03, 0)]
        var refinement = KeyframeRefinement()
        refinement.add(reference: 0, keyframePoses: [0: live[0]])
        refinement.add(reference: 0, keyframePoses: [:])
        refinement.add(reference: 1, keyframePoses: [0: live[0], 1: live[2]])
        #expect(zip(refinement.refined(live), live).allSatisfy { close($0.0, $0.1) })
    }
}
