import CVBridge
import Datasets
import Foundation
import Geometry
import TestSupport
import Testing
import Trajectories

@Suite(.enabled(if: SharedData.available, Comment(rawValue: SharedData.skipMessage)))
struct RealDatasetTests {
    @Test func kitti06LoadsWithCalibrationAndGroundTruth() throws {
        let ds = try KITTIDataset(root: SharedData.url("kitti-odometry"), sequence: "06")
        #expect(ds.frameCount == 51)
        #expect(ds.camera.width == 1226 && ds.camera.height == 370)
        #expect(abs(ds.camera.fx - 707.0912) < 1e-9 && abs(ds.camera.cy - 183.1104) < 1e-9)
        #expect(abs(ds.camera.baseline - 379.8145 / 707.0912) < 1e-12)
        let gt = try #require(ds.groundTruth)
        #expect(gt.count == 51 && gt.poses[0].translation.norm < 1e-9)
        #expect(abs(gt.pathLength - 59.9) < 0.5)
        #expect(ds.timestamps[10] == 1.0)   // no times.txt: 10 Hz
        let f = try ds.frame(7)
        #expect(f.left.width == 1226 && f.right.height == 370 && f.index == 7)
        #expect(Set(f.left.pixels).count > 100)   // a real image, not blank
    }

    @Test func kittiSequenceFolderIsAcceptedToo() throws {
        let ds = try KITTIDataset(root: SharedData.url("kitti-odometry/sequences/06"), sequence: "06")
        #expect(ds.frameCount == 51 && ds.groundTruth?.count == 51)
    }

    @Test func prefetcherDeliversEveryFrameInOrder() throws {
        let ds = try KITTIDataset(root: SharedData.url("kitti-odometry"), sequence: "06")
        let frames = FramePrefetcher(dataset: ds, range: 0..<20, depth: 3)
        var seen: [Int] = []
        while let f = try frames.next() { seen.append(f.index) }
        #expect(seen == Array(0..<20))
        let direct = try ds.frame(19)
        let again = FramePrefetcher(dataset: ds, range: 19..<20)
        #expect(try again.next()?.left == direct.left)
    }

    @Test func eurocLoadsAndRectifiesRowAligned() throws {
        let ds = try EuRoCDataset(root: SharedData.url("euroc/V1_01_easy_first95"))
        #expect(ds.frameCount == 95)
        #expect(ds.unpairedFrames == 4)   // this excerpt's cam1/data.csv lists 4 frames past cam0's last
        #expect(ds.camera.width == 752 && ds.camera.height == 480)
        // The EuRoC stereo rig has an 11 cm baseline.
        #expect(abs(ds.camera.baseline - 0.110) < 0.002)
        let gt = try #require(ds.groundTruth)
        #expect(gt.count > 500 && gt.timestamps != nil)
        // Body ← rectified cam0 stays close to T_BS (rectification rotates by well under 2°).
        let tbsRotation = SO3(uncheckedMatrix: Mat3([0.0148655429818, -0.999880929698, 0.00414029679422,
                                                      0.999557249008, 0.0149672133247, 0.025715529948,
                                                      -0.0257744366974, 0.00375618835797, 0.999660727178]))
        #expect((tbsRotation.inverse * ds.cameraToGroundTruthSensor.rotation).angle < 2 * .pi / 180)

        // Row alignment: ORB matches between the rectified images lie on the same row, and
        // clearly better than between the raw (distorted, unrectified) images.
        let rectified = try rowDifferences(ds, rectify: true)
        let raw = try rowDifferences(ds, rectify: false)
        let (median, aligned) = summary(rectified), (rawMedian, rawAligned) = summary(raw)
        print("EuRoC rectified: \(rectified.count) matches, median |Δv| \(median) px, \(aligned * 100)% within 1 px; raw: median \(rawMedian) px, \(rawAligned * 100)% within 1 px")
        #expect(rectified.count > 100)
        #expect(median < 0.3, "median row difference \(median) px")
        #expect(aligned > 0.6, "only \(aligned * 100)% of matches within 1 px of their row")
        #expect(aligned > rawAligned + 0.1)
    }

    /// Median and fraction-within-1-px of the row differences.
    private func summary(_ dv: [Double]) -> (Double, Double) {
        let s = dv.sorted()
        return (s.isEmpty ? .infinity : s[s.count / 2], Double(s.filter { $0 < 1 }.count) / Double(max(1, s.count)))
    }

    /// |v_left − v_right| of good cross-checked ORB matches on three frames.
    private func rowDifferences(_ ds: EuRoCDataset, rectify: Bool) throws -> [Double] {
        var dv: [Double] = []
        for i in [0, 40, 90] {
            let f: (left: GreyImage, right: GreyImage)
            if rectify {
                let frame = try ds.frame(i)
                f = (frame.left, frame.right)
            } else {
                f = try ds.images.load(i, expected: (ds.camera.width, ds.camera.height))
            }
            var matches = [cvb_stereo_match](repeating: cvb_stereo_match(), count: 2000)
            var err = cvb_error()
            let n = cvb_orb_match_pair(f.left.pixels, f.right.pixels, Int32(f.left.width), Int32(f.left.height), 1500, &matches, 2000, &err)
            #expect(n > 100)
            for m in matches.prefix(Int(max(n, 0))) where m.distance < 30 && m.ul - m.ur > 0.5 && m.ul - m.ur < 120 {
                dv.append(Double(abs(m.vl - m.vr)))
            }
        }
        return dv
    }
}
