import CVBridge
import Datasets
import Foundation
import Frontend
import Geometry
import Testing
import TestSupport

/// The AVX2 kernels (stereo SSD, LK sampling) give exactly the SSE2 kernels' features. Skipped on
/// a CPU without AVX2, where both runs would take the SSE2 path and compare it with itself.
@Suite(.serialized, .enabled(if: cvb_cpu_has_avx2() != 0, "this CPU has no AVX2: only the SSE2 kernels can run"))
struct KernelTests {
    @Test func avx2AndSSE2KernelsGiveTheSameFeatures() throws {
        let (w, h) = (320, 200)
        let camera = StereoCamera(fx: 300, fy: 300, cx: 160, cy: 100, baseline: 0.3, width: w, height: h)
        let texture = Texture(width: 460, height: 340, seed: 21)
        func run() throws -> [Feature] {
            let fe = try Frontend(camera: camera)
            _ = try fe.process(left: texture.image(w, h, dx: 0, dy: 0), right: texture.image(w, h, dx: 6.5, dy: 0))
            return try fe.process(left: texture.image(w, h, dx: 9.3, dy: -4.1), right: texture.image(w, h, dx: 15.8, dy: -4.1)).features
        }
        cvb_allow_avx2(0)
        let sse2 = try run()
        cvb_allow_avx2(1)
        let avx2 = try run()
        #expect(sse2.count > 150 && sse2.filter(\.isTracked).count > 100 && sse2.contains { $0.disparity != nil })
        let firstDifference = sse2.indices.first { $0 >= avx2.count || sse2[$0] != avx2[$0] }
        #expect(sse2.count == avx2.count && firstDifference == nil,
                "SSE2 \(sse2.count) features, AVX2 \(avx2.count); first difference at \(firstDifference.map(String.init) ?? "-")")
    }
}
