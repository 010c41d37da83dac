-- Schema and seed rows of the TODO board, loaded once on the primary (replicas copy them).
SET NAMES utf8mb4;
CREATE TABLE IF NOT EXISTS todo (
  id      INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  title   VARCHAR(200) NOT NULL,
  content TEXT NOT NULL,
  status  ENUM('TODO', 'PROGRESS', 'DONE') NOT NULL DEFAULT 'TODO',
  created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY idx_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO todo (title, content, status) VALUES
  ('MariaDB 복제 구성하기', '프라이머리 1대와 레플리카 2대', 'DONE'),
  ('API 서비스 만들기', 'GET/POST/PUT /todo', 'PROGRESS'),
  ('Nginx 템플릿 적용하기', '환경 변수로 설정 파일 만들기', 'TODO'),
  ('웹 화면 만들기', '서버 사이드 렌더링 칸반 보드', 'TODO');
