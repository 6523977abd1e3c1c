-- A sqlite metadata store as zenml-core 0.1 (the release before migrations) left it: sqlite3 .dump, config folder as {CONFIG}.
BEGIN TRANSACTION;
CREATE TABLE zenml_md_artifacts (
	id VARCHAR(36) NOT NULL, 
	uri TEXT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	data_type VARCHAR(512) NOT NULL, 
	materializer VARCHAR(512) NOT NULL, 
	content_hash VARCHAR(64), 
	producer_step_run_id VARCHAR(36) NOT NULL, 
	created DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(producer_step_run_id) REFERENCES zenml_md_step_runs (id)
);
CREATE TABLE zenml_md_meta (
	"key" VARCHAR(64) NOT NULL, 
	value VARCHAR(255) NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "zenml_md_meta" VALUES('schema_version','1');
CREATE TABLE zenml_md_pipeline_runs (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	pipeline_id VARCHAR(36) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	enable_cache BOOLEAN NOT NULL, 
	stack_name VARCHAR(255) NOT NULL, 
	num_steps INTEGER NOT NULL, 
	host VARCHAR(255) NOT NULL, 
	pid INTEGER NOT NULL, 
	created DATETIME NOT NULL, 
	finished DATETIME, 
	error TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	FOREIGN KEY(pipeline_id) REFERENCES zenml_md_pipelines (id)
);
INSERT INTO "zenml_md_pipeline_runs" VALUES('70cd6111-e0a2-439c-8ee5-45e022a96536','v1-run','ce2f2df3-5616-40e9-9771-d46142267762','running',1,'default',1,'vm',0,'2026-11-30 11:15:54.802758',NULL,NULL);
CREATE TABLE zenml_md_pipelines (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	created DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
INSERT INTO "zenml_md_pipelines" VALUES('ce2f2df3-5616-40e9-9771-d46142267762','v1_pipeline','2026-11-30 11:15:54.802758');
CREATE TABLE zenml_md_step_inputs (
	step_run_id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	artifact_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (step_run_id, name), 
	FOREIGN KEY(step_run_id) REFERENCES zenml_md_step_runs (id), 
	FOREIGN KEY(artifact_id) REFERENCES zenml_md_artifacts (id)
);
CREATE TABLE zenml_md_step_outputs (
	step_run_id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	artifact_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (step_run_id, name), 
	FOREIGN KEY(step_run_id) REFERENCES zenml_md_step_runs (id), 
	FOREIGN KEY(artifact_id) REFERENCES zenml_md_artifacts (id)
);
CREATE TABLE zenml_md_step_runs (
	id VARCHAR(36) NOT NULL, 
	run_id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	entrypoint_name VARCHAR(255) NOT NULL, 
	source TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	is_cached BOOLEAN NOT NULL, 
	cache_key VARCHAR(64) NOT NULL, 
	original_step_run_id VARCHAR(36), 
	parameters TEXT NOT NULL, 
	extra TEXT NOT NULL, 
	started DATETIME NOT NULL, 
	finished DATETIME, 
	error TEXT, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_zenml_md_step_runs_run_name UNIQUE (run_id, name), 
	FOREIGN KEY(run_id) REFERENCES zenml_md_pipeline_runs (id)
);
CREATE INDEX ix_zenml_md_runs_pipeline_created ON zenml_md_pipeline_runs (pipeline_id, created);
CREATE INDEX ix_zenml_md_runs_created ON zenml_md_pipeline_runs (created);
CREATE INDEX ix_zenml_md_step_runs_cache ON zenml_md_step_runs (cache_key, status);
COMMIT;
