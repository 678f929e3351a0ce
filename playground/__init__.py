"""CNN Playground: the math and the ONNX Runtime layer behind the pages.

No streamlit here: everything is importable from a notebook.
"""
