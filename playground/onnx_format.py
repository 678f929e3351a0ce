"""The ONNX versions every graph in this project is written for: committed models and graphs built on the fly.

``export/`` pins committed models to them (``export.common.finalize``) and
``playground.conv_arithmetic.shape_probe`` builds its one-node graphs with them; playground
never imports export, so the numbers live here.
"""

OPSET = 18  # supported by onnxruntime >= 1.14, on CPU and CUDA
IR_VERSION = 10  # onnx 1.23 writes IR 14 by default; onnxruntime 1.31 and onnxruntime-gpu load at most IR 13
