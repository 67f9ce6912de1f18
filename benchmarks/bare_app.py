"""The floor for the intake benchmark: a Flask endpoint that reads the body and answers 200."""

from flask import Flask, jsonify, request


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/webhooks")
    def receive():
        request.get_data()
        return jsonify({"status": "accepted"})

    return app
