"""The Bulk APIs: Bulk API 1.0 (``/services/async/VER/job``) and 2.0 (``jobs/ingest``,
``jobs/query``), over one store of jobs, batches and results.

- :mod:`store`: the tables and the IDs of jobs (750), batches (751) and results (752);
- :mod:`csvio`: CSV as Salesforce reads and writes it (delimiters, line endings, values);
- :mod:`ingest`: the records of a batch written through the ordinary write path;
- :mod:`queries`: a query's result cut into stored chunks, read back as a stream;
- :mod:`jobs`: jobs and batches, their states on the mock's clock, and the daily limits;
- :mod:`api1` and :mod:`api2`: the two HTTP faces (XML, JSON and CSV; JSON and CSV).

Nothing runs in the background: every Bulk call first brings the jobs up to the clock's
"now" (:meth:`jobs.BulkJobs.refresh`), and a batch's records are written when it starts.
"""
