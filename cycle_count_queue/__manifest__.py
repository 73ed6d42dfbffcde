{
    "name": "Cycle Count Queue",
    "summary": "Planning per warehouse, ABC per profile and large variance reports "
    "as background jobs on OCA queue_job",
    "version": "18.0.2.0.0",
    "author": "Cycle Count Closed Loop",
    "website": "https://github.com/cycle-count-closed-loop/cycle-count",
    "license": "LGPL-3",
    "category": "Hidden",
    "depends": ["cycle_count_approval", "queue_job"],
    "data": [
        "data/queue_job_data.xml",
    ],
    "auto_install": True,
}
