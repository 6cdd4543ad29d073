"""The model's network multiplies with numpy's BLAS, not thinc's default blis (4x slower here)."""

import numpy

from pipeline.stages.ner.tagger import PACKAGE_MODELS, NerModel


def test_every_layer_of_the_network_uses_numpy_ops_without_blis():
    model = NerModel(PACKAGE_MODELS / "ner_zh")
    network = model.nlp().get_pipe("tagger").model
    ops = {(type(node.ops).__name__, getattr(node.ops, "use_blis", None)) for node in network.walk()}
    assert ops == {("NumpyOps", False)}


def test_numpy_ops_multiply_as_blis_does():
    from thinc.api import NumpyOps

    rng = numpy.random.default_rng(0)
    x = rng.random((50, 320), dtype="float32")
    w = rng.random((128, 320), dtype="float32")
    assert numpy.allclose(NumpyOps(use_blis=False).gemm(x, w, trans2=True), NumpyOps().gemm(x, w, trans2=True), rtol=1e-5)
