//! The command line. The doc comments here are the `--help` text.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

/// The version `--version` shows: the crate version and the date of the commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("VNEID_COMMIT_DATE"),
    ")"
);

/// Đối soát danh sách kích hoạt tài khoản định danh điện tử mức 2 (Đề án 06).
///
/// Đối soát các danh sách kích hoạt tài khoản định danh điện tử mức 2 (VNeID) của một huyện: đọc
/// danh sách chưa kích hoạt của Công an, danh sách phân công của các lực lượng và các báo cáo hằng
/// ngày, giao mỗi công dân cho đúng một cán bộ phụ trách, rồi ghi tiến độ so với hạn hoàn thành.
///
/// Mã thoát: 0 là xong; 1 là xong nhưng có tệp đầu vào không đọc được (hoặc tệp được kiểm tra có
/// lỗi); 2 là gọi lệnh sai hoặc cài đặt sai, không ghi gì; 3 là không chạy được (không có thư mục
/// làm việc, không ghi được kết quả, hoặc một lần chạy khác đang giữ khóa), không ghi gì.
///
/// Khi không có lệnh nào (bấm đúp vào vneid-recon.exe, hoặc kéo thả một thư mục vào nó): mở trang
/// văn phòng ở 127.0.0.1:8686 cho thư mục làm việc được chỉ ra; nếu không chỉ ra thì dùng thư mục
/// đã ghi nhớ từ lần mở trước; nếu chưa có thì tạo thư mục mới bằng `init` (Documents\vneid-recon
/// trên Windows, ~/vneid-recon trên máy khác); rồi mở trình duyệt vào trang đó.
///
/// Hướng dẫn của từng lệnh: `vneid-recon <lệnh> --help`, ví dụ vneid-recon run --help.
///
/// Ví dụ:
///
/// vneid-recon D:\vneid-recon
///
/// vneid-recon run -w D:\vneid-recon --date 2024-01-15
#[derive(Debug, Parser)]
#[command(
    name = "vneid-recon",
    version = VERSION,
    propagate_version = true,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Khi không có lệnh: thư mục làm việc để mở trang văn phòng (được ghi nhớ cho lần sau).
    #[arg(value_name = "WORKSPACE")]
    pub open: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tạo thư mục làm việc mới, có sẵn tệp cài đặt mẫu.
    ///
    /// Tạo tệp cài đặt vneid-recon.toml có chú thích (lấy 19 xã của huyện Tuần Giáo và bốn lực
    /// lượng làm ví dụ) và các thư mục: master/ (danh sách chưa kích hoạt), assignments/<force>/
    /// (danh sách phân công của từng lực lượng), assignments/overrides/ (chỉ định thủ công khi một
    /// công dân bị phân công trùng), reports/ (báo cáo hằng ngày) và out/ (kết quả).
    ///
    /// Ví dụ:
    ///
    /// vneid-recon init D:\vneid-recon --han 31/12/2026
    ///
    /// vneid-recon init ~/vneid-recon
    ///
    /// Không có --han: hỏi hạn khi chạy trong cửa sổ lệnh; chạy từ kịch bản thì để trống dòng
    /// deadline, và `run` nhắc điền trước khi tổng hợp.
    Init {
        /// Thư mục làm việc cần tạo (có thể đã có sẵn, nhưng không được chứa vneid-recon.toml).
        dir: PathBuf,
        /// Hạn hoàn thành 100% chỉ tiêu của đơn vị (31/12/2026 hoặc 2026-12-31).
        #[arg(long = "han", visible_alias = "deadline", value_name = "NGÀY")]
        deadline: Option<String>,
    },
    /// Xem mỗi tệp được đọc thế nào: dòng tiêu đề, cột nào thành trường nào, số dòng nhận và loại.
    ///
    /// Với từng trang tính (sheet) của từng tệp: dòng tiêu đề tìm được, cột nào được hiểu là trường
    /// nào, số dòng đã đọc/nhận/loại/bỏ qua, từng dòng bị loại kèm lý do, và các cảnh báo.
    ///
    /// Ví dụ:
    ///
    /// vneid-recon inspect master\danh-sach-chua-kich-hoat.xlsx
    ///
    /// vneid-recon inspect -w D:\vneid-recon --json bao-cao.xlsx
    Inspect {
        /// Các tệp cần xem (.xlsx .xlsm .xlsb .xls .ods .csv).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Ngày chốt (YYYY-MM-DD hoặc DD/MM/YYYY): số định danh có năm sinh sau năm của ngày này
        /// bị loại. Mặc định: hôm nay theo giờ Việt Nam (UTC+7).
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
        /// Thư mục làm việc có vneid-recon.toml khai thêm tên khác của các tiêu đề cột (mặc định:
        /// thư mục hiện tại, nếu ở đó có tệp cài đặt).
        #[arg(short, long)]
        workspace: Option<PathBuf>,
        /// In ra dạng JSON thay cho văn bản.
        #[arg(long)]
        json: bool,
    },
    /// Tổng hợp hằng ngày (20:00, cron): đối soát danh sách và báo cáo, ghi kết quả vào out/DATE/.
    ///
    /// Đọc master/, assignments/, targets.xlsx và reports/YYYY-MM-DD/ đến hết ngày chốt, giao mỗi
    /// công dân cho một cán bộ phụ trách, phân loại các dòng báo cáo kích hoạt, rồi ghi thư mục
    /// out/DATE/ (DATE là ngày chốt) trọn vẹn, hoặc không ghi gì nếu không chạy xong. Gồm:
    /// summary.json; tong-hop-DATE.xlsx (sổ tổng hợp của huyện); <force-id>-DATE.xlsx (mỗi lực
    /// lượng một sổ, để lực lượng phúc tra); tin-nhan-DATE.txt (tin nhắn gửi nhóm chat);
    /// bieu-do-DATE.png (hình tiến độ gửi các nhóm chat) và bieu-do-DATE.svg (cùng hình đó cho
    /// trang văn phòng).
    ///
    /// In ra vài dòng: các tệp đã đọc, các tệp không đọc được kèm lý do, số dòng bị loại theo từng
    /// lý do, và dòng kết quả của huyện. Chạy cho ngày hôm nay trước giờ chốt của huyện (20:00) thì
    /// kết quả được đánh dấu là tạm tính.
    ///
    /// Ví dụ:
    ///
    /// vneid-recon run -w D:\vneid-recon --date 2024-01-15
    ///
    /// vneid-recon run -q -w /srv/vneid-recon
    Run(RunArgs),
    /// Kiểm tra báo cáo hằng ngày của đơn vị trước khi gửi (trước 17:00).
    ///
    /// Đọc các tệp như báo cáo của ngày --date và in bằng tiếng Việt từng lỗi, kèm tệp, trang tính
    /// và dòng: số định danh không hợp lệ (kèm lý do); không có trong danh sách chưa kích hoạt;
    /// không được phân công cho đơn vị này (và đã giao cho ai); đã được tính vào một ngày trước
    /// (ngày nào); bị trùng trong tệp; dấu "Đã kích hoạt" không rõ; ngày kích hoạt sau ngày của báo
    /// cáo. Không nhận ngày sau hôm nay (mã thoát 2).
    ///
    /// Mã thoát 0 khi không có lỗi, 1 khi có lỗi. Không ghi tệp nào, trừ khi có --fixed.
    ///
    /// Đơn vị lấy từ cột Đơn vị của tệp, nếu không có thì suy ra từ cột Xã; lực lượng lấy từ cột
    /// Lực lượng, nếu không có thì theo thư mục chứa tệp trong reports/DATE/ của thư mục làm việc.
    ///
    /// Ví dụ:
    ///
    /// vneid-recon check -w . bao-cao.xlsx
    ///
    /// vneid-recon check -w D:\vneid-recon --date 2024-01-15 --fixed bao-cao-sach.xlsx bao-cao.xlsx
    Check(CheckArgs),
    /// Mỗi đơn vị một sổ Excel: danh sách công dân còn phải hướng dẫn, làm sẵn theo mẫu báo cáo.
    ///
    /// Ghi out/DATE/don-vi/<force-id>/<unit>.xlsx (<force-id> là mã lực lượng, <unit> là đơn vị):
    /// những công dân đơn vị còn phải hướng dẫn (kèm cán bộ phụ trách, thôn/bản, số điện thoại),
    /// trình bày theo mẫu báo cáo hằng ngày, có cột "Đã kích hoạt" để đánh dấu x và ghi ngày kích
    /// hoạt.
    ///
    /// Mẫu đã điền, đặt vào reports/DATE/, được đọc là kết quả của đơn vị đó ở những dòng có dấu
    /// "có" (x, v, ✓, Có, Rồi, Đã kích hoạt…). Dấu "không" (để trống, 0, -, Chưa…, Không…) thì công
    /// dân vẫn nằm trong danh sách phải hướng dẫn; mọi dấu khác bị loại với lý do unclear_mark
    /// (SPEC §11.20).
    ///
    /// Ví dụ:
    ///
    /// vneid-recon split -w D:\vneid-recon --date 2024-01-16
    ///
    /// vneid-recon split -w D:\vneid-recon --protect
    Split {
        /// Thư mục làm việc.
        #[arg(short, long, default_value = ".")]
        workspace: PathBuf,
        /// Ngày của mẫu báo cáo (YYYY-MM-DD hoặc DD/MM/YYYY); không đưa vào những công dân đã được
        /// tính trước ngày này. Mặc định: hôm nay theo giờ Việt Nam (UTC+7).
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
        /// Không in gì khi chạy tốt.
        #[arg(short, long)]
        quiet: bool,
        /// Khóa mỗi mẫu bằng mật khẩu của lực lượng (nếu không có thì của huyện) trong
        /// mat-khau.toml.
        #[arg(long)]
        protect: bool,
    },
    /// Trang văn phòng: ứng dụng web tiếng Việt chạy trên máy này, cho người không dùng dòng lệnh.
    ///
    /// Tiến độ: tiến độ của một ngày (các số tổng, đường tiến độ so với đường kế hoạch, bảng xã ×
    /// lực lượng, các đơn vị chưa báo cáo, các tệp tải về và nội dung tin nhắn).
    ///
    /// Nhận báo cáo: nhận tệp của các đơn vị (kéo thả), kiểm tra từng tệp theo quy tắc của lệnh
    /// `check`, và khi bấm "Gửi báo cáo" thì lưu vào reports/DATE/<force-id>/ (bên cạnh tệp trước
    /// của đơn vị, hoặc thay tệp đó: tệp cũ được giữ trong reports/DATE/.thay-the/).
    ///
    /// Chạy tổng hợp: chạy lệnh `run`, dùng chung khóa thư mục làm việc với cron. Nhật ký: ai đã
    /// làm gì (nhat-ky/YYYY-MM.jsonl). Một API JSON dưới /api phục vụ các script.
    ///
    /// Chỉ nhận kết nối ở 127.0.0.1, tức từ chính máy này (trang của Công an huyện, không cần mã),
    /// trừ khi --listen chỉ ra địa chỉ khác: khi đó mọi yêu cầu phải có mã của một đường dẫn, và
    /// mỗi vai trò có đường dẫn riêng — của Công an huyện (toàn quyền) và của từng lực lượng (chỉ
    /// các đơn vị, sổ tổng hợp, mẫu và báo cáo của lực lượng đó). Đường dẫn nào chưa có trong
    /// lien-ket.toml của thư mục làm việc thì được tạo và in ra khi khởi động (chỉ lưu mã băm
    /// SHA-256 của nó); lệnh `vneid-recon links` cấp lại đường dẫn. Mỗi đường dẫn in kèm địa chỉ
    /// của chính máy này trong mạng (không phải 0.0.0.0) và một mã QR để điện thoại quét. Trang vừa
    /// màn hình điện thoại. Không cần Internet; không có dữ liệu nào ra khỏi máy.
    ///
    /// Ví dụ:
    ///
    /// vneid-recon serve -w D:\vneid-recon
    ///
    /// vneid-recon serve -w D:\vneid-recon --listen 0.0.0.0:8686
    Serve(ServeArgs),
    /// Cấp đường dẫn mới cho trang văn phòng; đường dẫn cũ hết dùng được ngay.
    ///
    /// Thay mã của mọi vai trò (hoặc chỉ của vai trò ghi ở --only), lưu mã băm SHA-256 của chúng
    /// vào lien-ket.toml của thư mục làm việc (chỉ chủ tệp đọc được) và in các đường dẫn ra một lần
    /// duy nhất, với địa chỉ của máy này và mã QR. Đường dẫn cũ hết dùng được ngay, kể cả trên trang
    /// văn phòng đang chạy.
    ///
    /// Ví dụ:
    ///
    /// vneid-recon links -w D:\vneid-recon
    ///
    /// vneid-recon links -w D:\vneid-recon --only hoi-phu-nu
    Links(LinksArgs),
    /// Tạo thư mục làm việc đầy dữ liệu giả lập như thật, để dùng thử và đo tốc độ.
    ///
    /// Gồm: cài đặt của huyện Tuần Giáo, danh sách chưa kích hoạt theo từng xã, danh sách phân công
    /// của từng lực lượng (khoảng 1/12 số công dân bị phân công hai lần), và báo cáo hằng ngày của
    /// từng đơn vị đến ngày chốt. Cùng một --seed thì luôn ra cùng dữ liệu. Dùng để thử công cụ và
    /// để đo tốc độ (1.000.000 công dân cần khoảng 400 MB bộ nhớ để ghi).
    ///
    /// Ví dụ:
    ///
    /// vneid-recon demo D:\thu-nghiem
    ///
    /// vneid-recon demo --citizens 1000000 --communes 414 D:\do-toc-do
    Demo {
        /// Thư mục cần tạo dữ liệu (chưa được chứa vneid-recon.toml).
        dir: PathBuf,
        /// Số công dân trong danh sách chưa kích hoạt.
        #[arg(long, default_value_t = 2000)]
        citizens: u64,
        /// Số ngày có báo cáo, ngày cuối là ngày chốt (--as-of).
        #[arg(long, default_value_t = 14)]
        days: u32,
        /// Số xã: 19 xã đầu là của Tuần Giáo, các xã thêm có tên giả lập (tối đa 414), để đo tốc độ
        /// ở quy mô cả tỉnh. Mỗi xã có một đơn vị của mỗi lực lượng.
        #[arg(long, default_value_t = 19)]
        communes: usize,
        /// Số khởi tạo ngẫu nhiên (seed): cùng một số thì ra cùng các tệp.
        #[arg(long, default_value_t = 6)]
        seed: u64,
        /// Ngày báo cáo cuối cùng, tức ngày chốt (YYYY-MM-DD hoặc DD/MM/YYYY).
        #[arg(long, value_parser = parse_date, default_value = "2024-01-15")]
        as_of: NaiveDate,
    },
    /// Đọc một tệp OLE2 trong một tiến trình tách riêng (dùng nội bộ: chính bộ đọc gọi lệnh này).
    #[command(name = "__probe", hide = true)]
    Probe { file: PathBuf },
}

use crate::pipeline::parse_date;

/// Các tùy chọn của lệnh `run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Thư mục làm việc.
    #[arg(short, long, default_value = ".")]
    pub workspace: PathBuf,
    /// Ngày chốt số liệu (YYYY-MM-DD hoặc DD/MM/YYYY); không đọc các thư mục báo cáo sau ngày này.
    /// Mặc định: hôm nay theo giờ Việt Nam (UTC+7).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// In thêm summary.json ra đầu ra chuẩn (stdout).
    #[arg(long)]
    pub json: bool,
    /// Không in gì khi chạy tốt (dùng cho cron); các vấn đề vẫn được in ra luồng lỗi (stderr).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// In thêm một dòng cho mỗi trang tính đã đọc: số đã đọc = nhận + loại + bỏ qua.
    #[arg(short, long)]
    pub verbose: bool,
    /// Ghi thêm các bảng chuẩn dạng Parquet vào out/DATE/parquet/ (công dân kèm phân công và trạng
    /// thái, các dòng báo cáo kích hoạt, các trường hợp phân công trùng, các dòng bị loại), để dùng
    /// với DuckDB hoặc Spark.
    #[arg(long)]
    pub parquet: bool,
    /// Khóa các sổ Excel có dữ liệu cá nhân bằng mật khẩu trong mat-khau.toml của thư mục làm việc
    /// (hoặc VNEID_PASSWORD): kiểu "mật khẩu để mở" của Excel (cũng bật được bằng `[protect]` trong
    /// vneid-recon.toml). Không bao giờ ghi mật khẩu trên dòng lệnh.
    #[arg(long)]
    pub protect: bool,
}

/// Các tùy chọn của lệnh `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Các tệp báo cáo cần kiểm tra.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Thư mục làm việc để đối chiếu với danh sách (mặc định: thư mục hiện tại). Không có
    /// vneid-recon.toml hoặc danh sách trong master/ thì không đối chiếu được: dòng đầu nói rõ
    /// và lệnh kết thúc với mã 3, trừ khi thêm --chi-dinh-dang.
    #[arg(short, long, default_value = ".")]
    pub workspace: PathBuf,
    /// Chỉ kiểm tra định dạng tệp (số định danh, dấu "Đã kích hoạt", ngày, dòng trùng), không đối
    /// chiếu với danh sách: dùng khi không có thư mục làm việc.
    #[arg(long = "chi-dinh-dang", alias = "format-only")]
    pub format_only: bool,
    /// Ngày của báo cáo (YYYY-MM-DD hoặc DD/MM/YYYY). Mặc định: hôm nay theo giờ Việt Nam (UTC+7).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// Ghi một bản đã làm sạch (các dòng không có lỗi, thêm một trang tính liệt kê các lỗi).
    #[arg(long, value_name = "OUT.xlsx")]
    pub fixed: Option<PathBuf>,
    /// In các lỗi dạng JSON (tệp, trang tính, dòng, cột, mã lỗi, lời nhắn và thông tin theo mã
    /// lỗi: lý do loại, đơn vị/lực lượng/cán bộ phụ trách được phân công, ngày đã được tính).
    #[arg(long)]
    pub json: bool,
    /// Khóa các sổ Excel có dữ liệu cá nhân bằng mật khẩu trong mat-khau.toml của thư mục làm việc
    /// (hoặc VNEID_PASSWORD): kiểu "mật khẩu để mở" của Excel (cũng bật được bằng `[protect]` trong
    /// vneid-recon.toml). Không bao giờ ghi mật khẩu trên dòng lệnh.
    #[arg(long)]
    pub protect: bool,
}

/// Các tùy chọn của lệnh `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Thư mục làm việc.
    #[arg(short, long, default_value = ".")]
    pub workspace: PathBuf,
    /// Địa chỉ nhận kết nối (0.0.0.0:8686 cho mạng nội bộ của cơ quan, khi đó cần mã).
    #[arg(long, default_value = "127.0.0.1:8686")]
    pub listen: std::net::SocketAddr,
    /// Mã truy cập của Công an huyện (ít nhất 16 ký tự), dùng thêm bên cạnh các đường dẫn; chỉ giữ
    /// trong bộ nhớ. Khi --listen không phải 127.0.0.1 (loopback) mà không có mã này, đường dẫn của
    /// huyện được tạo và in ra ở lần khởi động đầu. Mã được gửi dạng `Authorization: Bearer T`,
    /// hoặc một lần dạng `?token=T` (sau đó trang giữ mã trong cookie).
    #[arg(long, env = "VNEID_TOKEN")]
    pub token: Option<String>,
    /// Cấp lại đường dẫn của mọi vai trò khi khởi động (đường dẫn cũ hết dùng được) và in các
    /// đường dẫn mới.
    #[arg(long)]
    pub new_links: bool,
}

/// Các tùy chọn của lệnh `links`.
#[derive(Debug, Clone, Args)]
pub struct LinksArgs {
    /// Thư mục làm việc.
    #[arg(short, long, default_value = ".")]
    pub workspace: PathBuf,
    /// Chỉ cấp lại đường dẫn của vai trò này: `huyen` (Công an huyện) hoặc mã một lực lượng.
    #[arg(long)]
    pub only: Option<String>,
    /// Địa chỉ mà các đường dẫn trỏ tới (địa chỉ của máy này trong mạng nội bộ cơ quan).
    #[arg(long, default_value = "0.0.0.0:8686")]
    pub listen: std::net::SocketAddr,
}
