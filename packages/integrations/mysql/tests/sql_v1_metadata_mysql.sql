-- The metadata store's tables as zenml-core 0.1 (the release before migrations) created them on MySQL / MariaDB.
CREATE TABLE zenml_md_meta (
	`key` VARCHAR(64) NOT NULL, 
	value VARCHAR(255) NOT NULL, 
	PRIMARY KEY (`key`)
)ENGINE=InnoDB CHARSET=utf8mb4;
CREATE TABLE zenml_md_pipelines (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	created DATETIME(6) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
)ENGINE=InnoDB CHARSET=utf8mb4;
CREATE TABLE zenml_md_pipeline_runs (
	id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	pipeline_id VARCHAR(36) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	enable_cache BOOL NOT NULL, 
	stack_name VARCHAR(255) NOT NULL, 
	num_steps INTEGER NOT NULL, 
	host VARCHAR(255) NOT NULL, 
	pid INTEGER NOT NULL, 
	created DATETIME(6) NOT NULL, 
	finished DATETIME(6), 
	error TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (name), 
	FOREIGN KEY(pipeline_id) REFERENCES zenml_md_pipelines (id)
)ENGINE=InnoDB CHARSET=utf8mb4;
CREATE INDEX ix_zenml_md_runs_created ON zenml_md_pipeline_runs (created);
CREATE INDEX ix_zenml_md_runs_pipeline_created ON zenml_md_pipeline_runs (pipeline_id, created);
CREATE TABLE zenml_md_step_runs (
	id VARCHAR(36) NOT NULL, 
	run_id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	entrypoint_name VARCHAR(255) NOT NULL, 
	source TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	is_cached BOOL NOT NULL, 
	cache_key VARCHAR(64) NOT NULL, 
	original_step_run_id VARCHAR(36), 
	parameters LONGTEXT NOT NULL, 
	extra LONGTEXT NOT NULL, 
	started DATETIME(6) NOT NULL, 
	finished DATETIME(6), 
	error TEXT, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_zenml_md_step_runs_run_name UNIQUE (run_id, name), 
	FOREIGN KEY(run_id) REFERENCES zenml_md_pipeline_runs (id)
)ENGINE=InnoDB CHARSET=utf8mb4;
CREATE INDEX ix_zenml_md_step_runs_cache ON zenml_md_step_runs (cache_key, status);
CREATE TABLE zenml_md_artifacts (
	id VARCHAR(36) NOT NULL, 
	uri TEXT NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	data_type VARCHAR(512) NOT NULL, 
	materializer VARCHAR(512) NOT NULL, 
	content_hash VARCHAR(64), 
	producer_step_run_id VARCHAR(36) NOT NULL, 
	created DATETIME(6) NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(producer_step_run_id) REFERENCES zenml_md_step_runs (id)
)ENGINE=InnoDB CHARSET=utf8mb4;
CREATE TABLE zenml_md_step_inputs (
	step_run_id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	artifact_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (step_run_id, name), 
	FOREIGN KEY(step_run_id) REFERENCES zenml_md_step_runs (id), 
	FOREIGN KEY(artifact_id) REFERENCES zenml_md_artifacts (id)
)ENGINE=InnoDB CHARSET=utf8mb4;
CREATE TABLE zenml_md_step_outputs (
	step_run_id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	artifact_id VARCHAR(36) NOT NULL, 
	PRIMARY KEY (step_run_id, name), 
	FOREIGN KEY(step_run_id) REFERENCES zenml_md_step_runs (id), 
	FOREIGN KEY(artifact_id) REFERENCES zenml_md_artifacts (id)
)ENGINE=InnoDB CHARSET=utf8mb4;
INSERT INTO zenml_md_meta (`key`, value) VALUES ('schema_version', '1');
