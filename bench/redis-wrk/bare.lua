-- The bare server answers any request 202: the same POST the session API gets, without a path to decide on.
wrk.method = "POST"
wrk.headers["Authorization"] = "Basic ZGVtby1hcHA6"
