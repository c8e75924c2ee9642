"""The Responses API: responses (background mode on the shared lifecycle engine), their input items,
function-call items and event streams."""
